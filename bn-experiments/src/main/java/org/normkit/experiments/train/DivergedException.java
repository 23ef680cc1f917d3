package org.normkit.experiments.train;

/** A NaN or infinite training loss: the run stops, and the step where it happened is named. */
public class DivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final int step;
    private final double loss;

    public DivergedException(int epoch, int step, double loss) {
        super("loss became " + loss + " at epoch " + epoch + ", step " + step);
        this.epoch = epoch;
        this.step = step;
        this.loss = loss;
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
}
