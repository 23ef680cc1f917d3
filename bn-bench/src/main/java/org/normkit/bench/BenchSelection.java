package org.normkit.bench;

import java.util.List;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.tensor.DType;

/**
 * Which part of the suite to run. An empty {@code norms} list means every registered norm; the other lists must
 * not be empty.
 */
public record BenchSelection(List<String> norms, List<DType> dtypes, List<Face> faces, List<BenchPass> passes,
                             List<Integer> threads) {

    public BenchSelection {
        norms = List.copyOf(norms);
        dtypes = List.copyOf(dtypes);
        faces = List.copyOf(faces);
        passes = List.copyOf(passes);
        threads = List.copyOf(threads);
        requireSome(dtypes, "dtypes", "float32,float64");
        requireSome(faces, "faces", "reference,fused");
        requireSome(passes, "passes", "train_forward,eval_forward,train_forward_backward");
        requireSome(threads, "threads", "1,2");
        for (int t : threads) {
            if (t < 1) {
                throw new IllegalArgumentException("threads = " + t + ": thread counts must be >= 1");
            }
        }
    }

    /** Everything: every registered norm, both dtypes, both faces, the three passes, 1 and 2 threads. */
    public static BenchSelection all() {
        return new BenchSelection(List.of(), List.of(DType.values()), Face.BOTH,
                List.of(BenchPass.values()), List.of(1, 2));
    }

    public BenchSelection withNorms(List<String> n) {
        return new BenchSelection(n, dtypes, faces, passes, threads);
    }

    public BenchSelection withDtypes(List<DType> d) {
        return new BenchSelection(norms, d, faces, passes, threads);
    }

    public BenchSelection withFaces(List<Face> f) {
        return new BenchSelection(norms, dtypes, f, passes, threads);
    }

    public BenchSelection withPasses(List<BenchPass> p) {
        return new BenchSelection(norms, dtypes, faces, p, threads);
    }

    public BenchSelection withThreads(List<Integer> t) {
        return new BenchSelection(norms, dtypes, faces, passes, t);
    }

    private static void requireSome(List<?> values, String what, String example) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no " + what + " selected: give at least one, e.g. " + example);
        }
    }
}
