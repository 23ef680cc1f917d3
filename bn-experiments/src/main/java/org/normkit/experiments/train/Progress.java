package org.normkit.experiments.train;

import java.io.PrintStream;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress display for one epoch: a terminal bar (steps, loss, samples/s, ETA), or nothing. */
public interface Progress extends AutoCloseable {

    void step(double loss, double samplesPerSecond);

    @Override
    void close();

    /** Creates one progress display per epoch. */
    @FunctionalInterface
    interface Factory {
        Progress start(String task, int steps);
    }

    /** No display: for tests, and when the output is not a terminal (a bar would fill a log with redraws). */
    static Factory silent() {
        return (task, steps) -> new Progress() {
            @Override
            public void step(double loss, double samplesPerSecond) {}

            @Override
            public void close() {}
        };
    }

    /** A bar on {@code stream}; the library shows elapsed time and ETA. */
    static Factory bar(PrintStream stream) {
        return (task, steps) -> {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(steps)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setMaxRenderedLength(110)
                    .setConsumer(new ConsoleProgressBarConsumer(stream))
                    .build();
            return new Progress() {
                @Override
                public void step(double loss, double samplesPerSecond) {
                    bar.step();
                    bar.setExtraMessage(String.format("loss %.4f  %,.0f samples/s", loss, samplesPerSecond));
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        };
    }

    /** A bar when stderr is a terminal, silence otherwise. */
    static Factory automatic() {
        return System.console() != null ? bar(System.err) : silent();
    }
}
