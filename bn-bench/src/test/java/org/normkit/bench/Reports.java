package org.normkit.bench;

import java.util.List;
import java.util.Map;

/** Hand-made reports for the writer tests. */
final class Reports {
    static final MachineInfo MACHINE = new MachineInfo("Test CPU", 2, "Java 17.0.15 (test VM)",
            "--add-modules=jdk.incubator.vector", "2026-11-23T19:00:00Z", null);

    private Reports() {}

    static BenchResult row(String norm, String face, int threads, double ms, double copyMs) {
        return row(norm, face, "none", threads, ms, copyMs);
    }

    static BenchResult row(String norm, String face, String mask, int threads, double ms, double copyMs) {
        return BenchResult.kernel(norm, "32x64x56x56", "float32", "train_forward", face, mask, threads, ms, 0.01,
                copyMs, 3, BytesModel.gigabytesPerSecond(3, 32L * 64 * 56 * 56,
                        org.normkit.autograd.tensor.DType.FLOAT32, ms));
    }

    static BenchReport report(List<BenchResult> rows) {
        return new BenchReport(MACHINE, "JMH average time; test", "none found", 0, rows,
                List.of(BenchPlan.Skip.kernel("batch_norm_toy", "4x3x5x5", "fused", "*", "no fused face")),
                Map.of("batch_norm2d 32x64x56x56", "64, eps=1.0E-5"));
    }
}
