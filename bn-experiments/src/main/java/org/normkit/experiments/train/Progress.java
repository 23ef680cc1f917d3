package org.normkit.experiments.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressState;

/** A progress display for one epoch: a terminal bar (steps, ETA, loss, samples/s), or nothing. */
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

    /**
     * A bar on {@code stream}, redrawn in place at most four times a second and wiped when the epoch ends, so the
     * console keeps only the one summary line per epoch that the caller prints.
     */
    static Factory bar(PrintStream stream) {
        return (task, steps) -> {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(steps)
                    .setRenderer(Progress::render).setUpdateIntervalMillis(250).clearDisplayOnFinish()
                    .setConsumer(new ConsoleProgressBarConsumer(stream) {
                        @Override
                        public void close() {
                            // The library ends the wiped bar with a line break, which would leave a blank line.
                            stream.print('\r');
                            stream.flush();
                        }
                    })
                    .build();
            return new Progress() {
                @Override
                public void step(double loss, double samplesPerSecond) {
                    bar.step();
                    bar.setExtraMessage(String.format("loss %.4f, %,.0f samples/s", loss, samplesPerSecond));
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        };
    }

    /**
     * {@code task [=====>    ] 234/469 steps, ETA 0:02, loss 0.4580, 24,960 samples/s}. The library's own layout
     * spends a third of an 80-column terminal on elapsed time and a bar, and cuts off the loss; here the bar takes
     * only the room the numbers leave, and disappears when there is none.
     */
    private static String render(ProgressState state, int width) {
        long done = state.getCurrent();
        long total = state.getMax();
        String eta = "?";
        if (done > 0) {
            long seconds = state.getElapsedAfterStart().toMillis() * (total - done) / done / 1000;
            eta = seconds / 60 + ":" + String.format("%02d", seconds % 60);
        }
        String numbers = " " + done + "/" + total + " steps, ETA " + eta
                + (state.getExtraMessage().isEmpty() ? "" : ", " + state.getExtraMessage());
        int room = width - state.getTaskName().length() - numbers.length() - 3;
        if (room < 10) {
            return state.getTaskName() + numbers;
        }
        int filled = (int) (room * done / Math.max(1, total));
        return state.getTaskName() + " [" + "=".repeat(filled) + (filled < room ? ">" + " ".repeat(room - filled - 1)
                : "") + "]" + numbers;
    }

    /** A bar on stderr when stderr is a terminal (and not a dumb one), silence otherwise. */
    static Factory automatic() {
        return stderrIsTerminal() ? bar(System.err) : silent();
    }

    /**
     * Whether file descriptor 2 is a terminal. Java cannot ask isatty(2); on Linux the descriptor's link in /proc
     * names the device. Elsewhere {@code System.console()} stands in: it says whether stdin and stdout are terminals,
     * which is the usual case for stderr too.
     */
    private static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd2)) {
            try {
                String device = Files.readSymbolicLink(fd2).toString();
                return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // Fall through to the portable guess.
            }
        }
        return System.console() != null;
    }
}
