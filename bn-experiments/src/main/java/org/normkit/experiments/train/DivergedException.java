package org.normkit.experiments.train;

/** A NaN or infinite training loss: the run stops, and the step where it happened is named. */
public class DivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final int step;
    private final double loss;
    private final double seconds;

    /**
     * @param step    1 for the epoch's first mini-batch
     * @param seconds the time the epoch had run when the loss stopped being finite
     */
    public DivergedException(int epoch, int step, double loss, double seconds) {
        super("loss became " + loss + " at epoch " + epoch + ", step " + step);
        this.epoch = epoch;
        this.step = step;
        this.loss = loss;
        this.seconds = seconds;
    }

    public int epoch() {
        return epoch;
    }

    public int step() {
        return step;
    }

    public double loss() {
        return loss;
    }

    public double seconds() {
        return seconds;
    }
}
