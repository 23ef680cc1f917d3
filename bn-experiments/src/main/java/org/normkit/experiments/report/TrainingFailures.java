package org.normkit.experiments.report;

/**
 * The two ways a run fails that the reports name, defined once for the trainer and the reports.
 *
 * <p><em>Diverged</em>: a step's training loss is not finite, or is above {@link #LOSS_LIMIT}, ten times the
 * cross-entropy of a uniform guess over ten classes ({@code ln 10 ≈ 2.30}, where a freshly initialised net starts):
 * a loss that far above the start means the weights have run away, even while it is still finite (Adam at lr 0.5
 * reaches about 300). The run stops there and is recorded as diverged.
 *
 * <p><em>Did not learn</em>: the run finished, but its final test accuracy is at chance level, at most
 * {@link #CHANCE_LEVEL_LIMIT} (chance is 0.10 for ten balanced classes; the margin takes in a net that guesses one
 * class for everything on a test set that is not perfectly balanced).
 */
public final class TrainingFailures {

    /** The number of classes of Fashion-MNIST and of the built-in synthetic set. */
    public static final int CLASSES = 10;
    /** A training loss above this counts as diverged: 10 · ln(10). */
    public static final double LOSS_LIMIT = 10 * Math.log(CLASSES);
    /** The accuracy of guessing. */
    public static final double CHANCE = 1.0 / CLASSES;
    /** A final test accuracy at or below this did not learn. */
    public static final double CHANCE_LEVEL_LIMIT = 1.5 * CHANCE;

    private TrainingFailures() {}

    /** Whether a step's training loss means the run diverged. */
    public static boolean diverged(double loss) {
        return !Double.isFinite(loss) || loss > LOSS_LIMIT;
    }

    /** Whether a finished run's final test accuracy (or a mean of them) is at chance level. */
    public static boolean didNotLearn(double testAccuracy) {
        return testAccuracy <= CHANCE_LEVEL_LIMIT;
    }
}
