package org.normkit.experiments.train;

import java.util.List;

import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.CharVocabulary;

/**
 * The output bias a character language model starts from: log p(k), the frequency of token k among the training
 * targets (every character of every document and one {@link CharVocabulary#END} per document), each count plus ½ so
 * that no token starts at probability 0. The net's first prediction is then the unigram distribution instead of the
 * uniform one.
 *
 * <p>Why: after a norm whose statistics are taken over the tokens (BatchNorm, masked or not), the features entering the
 * output layer have mean zero over the batch's tokens, so the only way to the unigram distribution — about two of the
 * first bits per character on English text — is the output bias, which Adam moves by about the learning rate per
 * step. With the default zero bias a short run measured how fast each norm learns the character frequencies, not how
 * well it models text: masked BatchNorm trailed unmasked BatchNorm by 0.9 bits per character in both normkit and
 * PyTorch, and the gap vanished when both started from this prior (docs/sequence.md).
 */
final class UnigramPrior {
    private static final double SMOOTHING = 0.5;

    private UnigramPrior() {}

    /** log p(k) for every token id of a vocabulary of {@code size}, from the encoded training documents. */
    static double[] logFrequencies(List<int[]> documents, int size) {
        double[] counts = new double[size];
        for (int[] document : documents) {
            for (int token : document) {
                counts[token]++;
            }
            counts[CharVocabulary.END]++;
        }
        double total = 0;
        for (int k = 0; k < size; k++) {
            counts[k] += SMOOTHING;
            total += counts[k];
        }
        double[] log = new double[size];
        for (int k = 0; k < size; k++) {
            log[k] = Math.log(counts[k] / total);
        }
        return log;
    }

    /** Sets {@code output}'s bias to {@code logFrequencies}. */
    static void apply(Linear output, double[] logFrequencies) {
        Tensor bias = output.bias().value();
        bias.copyFrom(Tensor.of(bias.dtype(), logFrequencies, Shape.of(logFrequencies.length)));
    }
}
