package org.normkit.bench;

import java.util.List;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.tensor.DType;
import org.normkit.experiments.train.Nets;

/**
 * Which part of a benchmark to run: the axes of {@link BenchPlan}. An empty {@code norms} list means every
 * registered norm (for the training benchmark also {@code none}, the net without norms).
 *
 * <p>The axes each kind uses: the kernel benchmark norm × shape (each norm's own) × dtype × face × pass × mask ×
 * threads; the training benchmark net × norm × face × threads (float32 training steps: dtypes, passes and masks are
 * not its axes and stay at their defaults). The lists an axis of the kind runs over must not be empty.
 *
 * @param kind    the kernel or the training benchmark
 * @param nets    the training benchmark's nets ({@link Nets#NAMES})
 * @param masks   the kernel benchmark's mask axis ({@link BenchMask})
 */
public record BenchSelection(BenchKind kind, List<String> nets, List<String> norms, List<DType> dtypes,
                             List<Face> faces, List<BenchPass> passes, List<BenchMask> masks, List<Integer> threads) {

    public BenchSelection {
        nets = List.copyOf(nets);
        norms = List.copyOf(norms);
        dtypes = List.copyOf(dtypes);
        faces = List.copyOf(faces);
        passes = List.copyOf(passes);
        masks = List.copyOf(masks);
        threads = List.copyOf(threads);
        requireSome(faces, "faces", "reference,fused");
        requireSome(threads, "threads", "1,2");
        if (kind == BenchKind.KERNEL) {
            requireSome(dtypes, "dtypes", "float32,float64");
            requireSome(passes, "passes", "train_forward,eval_forward,train_forward_backward");
            requireSome(masks, "masks", "none,padded");
        } else {
            requireSome(nets, "nets", "mlp,lenet");
            for (String net : nets) {
                if (!Nets.NAMES.contains(net)) {
                    throw new IllegalArgumentException("unknown net '" + net + "': expected one of " + Nets.NAMES);
                }
            }
        }
        for (int t : threads) {
            if (t < 1) {
                throw new IllegalArgumentException("threads = " + t + ": thread counts must be >= 1");
            }
        }
    }

    /**
     * The whole kernel benchmark: every registered norm, both dtypes, both faces, the three passes, no mask, 1 and 2
     * threads.
     */
    public static BenchSelection all() {
        return new BenchSelection(BenchKind.KERNEL, List.of(), List.of(), List.of(DType.values()), Face.BOTH,
                List.of(BenchPass.values()), List.of(BenchMask.NONE), List.of(1, 2));
    }

    /** The whole training benchmark: every net, none and every registered norm, both faces, one thread. */
    public static BenchSelection training() {
        return new BenchSelection(BenchKind.TRAINING, Nets.NAMES, List.of(), List.of(DType.FLOAT32), Face.BOTH,
                List.of(BenchPass.TRAIN_FORWARD_BACKWARD), List.of(BenchMask.NONE), List.of(1));
    }

    public BenchSelection withNets(List<String> n) {
        return new BenchSelection(kind, n, norms, dtypes, faces, passes, masks, threads);
    }

    public BenchSelection withNorms(List<String> n) {
        return new BenchSelection(kind, nets, n, dtypes, faces, passes, masks, threads);
    }

    public BenchSelection withDtypes(List<DType> d) {
        return new BenchSelection(kind, nets, norms, d, faces, passes, masks, threads);
    }

    public BenchSelection withFaces(List<Face> f) {
        return new BenchSelection(kind, nets, norms, dtypes, f, passes, masks, threads);
    }

    public BenchSelection withPasses(List<BenchPass> p) {
        return new BenchSelection(kind, nets, norms, dtypes, faces, p, masks, threads);
    }

    public BenchSelection withMasks(List<BenchMask> m) {
        return new BenchSelection(kind, nets, norms, dtypes, faces, passes, m, threads);
    }

    public BenchSelection withThreads(List<Integer> t) {
        return new BenchSelection(kind, nets, norms, dtypes, faces, passes, masks, t);
    }

    private static void requireSome(List<?> values, String what, String example) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no " + what + " selected: give at least one, e.g. " + example);
        }
    }
}
