package org.normkit.experiments.data;

import java.util.List;

/**
 * A padded batch of sequences for a language model, (batch, steps) row-major: sequence b reads
 * {@code inputs[b·steps + t]} for t &lt; lengths[b] and must predict {@code targets[b·steps + t]}; beyond its length
 * both are {@link CharVocabulary#PAD}. {@code steps} is the longest length in the batch.
 */
public record TokenBatch(int[] inputs, int[] targets, int[] lengths, int batch, int steps) {

    /** {@code BEGIN s} → {@code s END} for each encoded sequence, padded to the longest. */
    public static TokenBatch of(List<int[]> encoded) {
        int steps = 1;
        for (int[] s : encoded) {
            steps = Math.max(steps, s.length + 1);
        }
        int batch = encoded.size();
        int[] inputs = new int[batch * steps];
        int[] targets = new int[batch * steps];
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            int[] s = encoded.get(b);
            int base = b * steps;
            inputs[base] = CharVocabulary.BEGIN;
            System.arraycopy(s, 0, inputs, base + 1, s.length);
            System.arraycopy(s, 0, targets, base, s.length);
            targets[base + s.length] = CharVocabulary.END;
            lengths[b] = s.length + 1;
        }
        return new TokenBatch(inputs, targets, lengths, batch, steps);
    }

    /** Positions that are inside their sequence: the predictions the loss counts. */
    public int validPositions() {
        int n = 0;
        for (int length : lengths) {
            n += length;
        }
        return n;
    }
}
