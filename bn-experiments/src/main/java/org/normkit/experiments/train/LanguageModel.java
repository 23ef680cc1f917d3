package org.normkit.experiments.train;

import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.TokenBatch;

/** A net that predicts the next token at every position of a padded batch. */
public interface LanguageModel {
    /** Scores (batch·steps, vocabulary), one row per position in row-major (b, t) order, padding rows included. */
    Tensor logits(TokenBatch batch);

    /** The last layer, features → vocabulary scores; its bias starts at the {@link UnigramPrior}. */
    Linear output();
}
