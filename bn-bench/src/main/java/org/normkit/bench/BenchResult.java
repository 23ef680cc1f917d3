package org.normkit.bench;

/**
 * One timed combination ({@code norm, shape, dtype, pass, face, threads}) and its figures. Unknown numbers are NaN
 * (written as null).
 *
 * @param ms          average time of one call, milliseconds
 * @param msError     half-width of JMH's 99.9 % confidence interval of {@code ms}
 * @param copyMs      the copy baseline of the same element count, dtype and threads, timed in the same run
 * @param ratioToCopy {@code ms / copyMs}
 * @param bytesUnits  tensor-sized reads and writes the call needs at the least ({@link BytesModel}); 0 if unknown
 * @param gbPerSecond effective bandwidth under that model
 */
public record BenchResult(String norm, String shape, String dtype, String pass, String face, int threads,
                          double ms, double msError, double copyMs, double ratioToCopy, int bytesUnits,
                          double gbPerSecond) {
}
