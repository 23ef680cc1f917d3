package org.normkit.experiments.train;

import java.util.Collection;
import java.util.SplittableRandom;

import org.normkit.autograd.loops.VectorWarmUp;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * One training step of each configuration's image net on two blank images, at the start of a command, before the
 * norms are verified and the data loads: it reaches exactly the {@link VectorWarmUp} gates the training will reach,
 * in the training's dtype, so that those loops, and no others, start compiling on the warm-up thread while the data
 * loads. Starting every gate instead ({@link VectorWarmUp#startAutograd}) also compiled loops the net never calls
 * (the mlp has no sigmoid and no convolution), and on two cores the compiler threads' work in epoch 1 is what
 * epoch 1 waits for (docs/training-throughput.md, ninth session).
 *
 * <p>The rehearsal's net is built from its own random stream and thrown away: no run, seed or result sees it. Only
 * the time at which gates open can change, and gates change speed only, never a result. A configuration the
 * rehearsal cannot run (a norm that refuses two rows, say) is left to the training, which reports its own errors;
 * its gates then start at the training's first step, as they always did.
 */
public final class WarmUpRehearsal {
    private static final int ROWS = 2;

    private WarmUpRehearsal() {}

    /** Whether {@link #rehearse} can run {@code net} (the image nets; the sequence nets take text). */
    public static boolean covers(String net) {
        return Nets.NAMES.contains(net) && !Nets.SEQUENCE_NETS.contains(net);
    }

    /**
     * A forward and backward pass of {@code net} with each of {@code norms} (labels as {@code --norms} takes them) in
     * {@code dtype}, on the {@code face} the runs use, on a batch of two 28×28 blank images; returns how many of the
     * configurations ran (the others are left to the training).
     */
    public static int rehearse(NormRegistry registry, String net, Collection<String> norms, DType dtype, Face face) {
        if (!covers(net)) {
            throw new IllegalArgumentException("no rehearsal for net " + net + ": it covers " + Nets.NAMES.stream()
                    .filter(WarmUpRehearsal::covers).toList());
        }
        int ran = 0;
        for (String norm : norms) {
            try (Face.Scope ignored = Face.scope(face)) {
                step(registry, net, norm, dtype);
                ran++;
            } catch (RuntimeException e) {
                // The training builds the same net and says what is wrong with it; a rehearsal only starts warm-ups.
            }
        }
        return ran;
    }

    private static void step(NormRegistry registry, String net, String norm, DType dtype) {
        Module module = Nets.build(net, new NormSlot(registry, norm).withDtype(dtype), 0, dtype,
                new SplittableRandom(0));
        module.train();
        Tensor images = Tensor.zeros(dtype, ROWS, 1, 28, 28);
        Tensor loss = Losses.crossEntropy(module.forward(images), new int[ROWS]);
        loss.backward();
    }
}
