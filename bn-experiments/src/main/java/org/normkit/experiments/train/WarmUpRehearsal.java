package org.normkit.experiments.train;

import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.normkit.autograd.loops.VectorWarmUp;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.TokenBatch;

/**
 * One training step of each configuration's net on two blank images, or for a language model on two short padded
 * documents, at the start of a command, before the norms are verified and the data loads: it reaches exactly the {@link VectorWarmUp} gates the training will reach,
 * in the training's dtype, so that those loops, and no others, start compiling on the warm-up thread while the data
 * loads. Starting every gate instead ({@link VectorWarmUp#startAutograd}) also compiled loops the net never calls
 * (the mlp has no sigmoid and no convolution), and on two cores the compiler threads' work in epoch 1 is what
 * epoch 1 waits for (docs/training-throughput.md, ninth session). The sequence nets' norms start their gates at
 * the training's first step otherwise, so their loops compiled during epoch 1 (docs/sequence.md, twelfth session).
 *
 * <p>The rehearsal's net is built from its own random stream and thrown away: no run, seed or result sees it. Only
 * the time at which gates open can change, and gates change speed only, never a result. A configuration the
 * rehearsal cannot run (a norm that refuses two rows, say) is left to the training, which reports its own errors;
 * its gates then start at the training's first step, as they always did.
 */
public final class WarmUpRehearsal {
    private static final int ROWS = 2;
    // Two documents of different lengths, so that the padding's paths (masks, valid rows) are taken; ids past
    // CharVocabulary's special ones, as encoded characters are.
    private static final List<int[]> DOCUMENTS = List.of(new int[] {4, 5, 6}, new int[] {7, 4, 5, 6, 7, 5});
    private static final int VOCABULARY = 8;

    private WarmUpRehearsal() {}

    /** Whether {@link #rehearse} can run {@code net} on images: every net. */
    public static boolean covers(String net) {
        return Nets.NAMES.contains(net);
    }

    /** Whether {@link #rehearseText} can run {@code net}: the sequence nets. */
    public static boolean coversText(String net) {
        return Nets.SEQUENCE_NETS.contains(net);
    }

    /**
     * A forward and backward pass of {@code net} with each of {@code norms} (labels as {@code --norms} takes them) in
     * {@code dtype}, on the {@code face} the runs use, on a batch of two 28×28 blank images; returns how many of the
     * configurations ran (the others are left to the training).
     */
    public static int rehearse(NormRegistry registry, String net, Collection<String> norms, DType dtype, Face face) {
        if (!covers(net)) {
            throw new IllegalArgumentException("no rehearsal for net " + net + ": it covers " + Nets.NAMES);
        }
        return each(norms, face, norm -> step(registry, net, norm, dtype));
    }

    /** {@link #rehearse} for {@code net} as a character language model, on two padded documents. */
    public static int rehearseText(NormRegistry registry, String net, Collection<String> norms, DType dtype,
                                   Face face) {
        if (!coversText(net)) {
            throw new IllegalArgumentException("no rehearsal for net " + net + " on text: it covers "
                    + Nets.SEQUENCE_NETS);
        }
        return each(norms, face, norm -> textStep(registry, net, norm, dtype));
    }

    private static int each(Collection<String> norms, Face face, Consumer<String> step) {
        int ran = 0;
        for (String norm : norms) {
            try (Face.Scope ignored = Face.scope(face)) {
                step.accept(norm);
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

    private static void textStep(NormRegistry registry, String net, String norm, DType dtype) {
        Module module = Nets.buildForText(net, new NormSlot(registry, norm).withDtype(dtype), VOCABULARY, dtype,
                new SplittableRandom(0));
        module.train();
        LanguageModelTrainer.score((LanguageModel) module, TokenBatch.of(DOCUMENTS)).loss().backward();
    }
}
