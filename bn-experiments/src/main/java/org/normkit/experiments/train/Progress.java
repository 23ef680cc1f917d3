package org.normkit.experiments.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** A progress display for one epoch: a terminal bar (steps, ETA, loss, samples/s), or nothing. */
public interface Progress extends AutoCloseable {

    void step(double loss, double samplesPerSecond);

    @Override
    void close();

    /** Creates one progress display per epoch. */
    @FunctionalInterface
    interface Factory {
        Progress start(String task, int steps);

        /** Displays that also show where {@code job} stands (run k of N, time left); a silent one stays silent. */
        default Factory forJob(JobProgress job) {
            return this;
        }
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
        return bar(stream, new JobProgress());
    }

    private static Factory bar(PrintStream stream, JobProgress job) {
        return new Factory() {
            @Override
            public Progress start(String task, int steps) {
                ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(steps)
                        .setRenderer((state, width) -> render(state.getTaskName(), state.getCurrent(),
                                state.getMax(), state.getElapsedAfterStart().toMillis(), state.getExtraMessage(), width,
                                job))
                        .setUpdateIntervalMillis(250).clearDisplayOnFinish()
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
                        job.stepDone();
                        bar.step();
                        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f, %,.0f samples/s", loss,
                                samplesPerSecond));
                    }

                    @Override
                    public void close() {
                        bar.close();
                    }
                };
            }

            @Override
            public Factory forJob(JobProgress newJob) {
                return bar(stream, newJob);
            }
        };
    }

    /**
     * {@code run 3/8 none seed 1 epoch 2/10 [==>   ] 234/469, ETA 0:02, all 4:12, loss 0.4580, 24,960 samples/s}:
     * the job's run, the epoch's task, a bar, the epoch's steps and time left, the whole job's time left, then loss
     * and speed. The line is always shorter than {@code width}, the terminal's: a line that fills or overflows it
     * wraps, and the next redraw, which returns only to the start of the last row, leaves fragments behind. When
     * room is short, speed, then loss, then the bar make way, and what still does not fit is cut.
     */
    static String render(String task, long done, long total, long elapsedMillis, String extra, int width,
                         JobProgress job) {
        String eta = done > 0 ? clock(elapsedMillis * (total - done) / done / 1000) : "?";
        String run = job.run();
        String head = (run.isEmpty() ? "" : run + " ") + task;
        String numbers = " " + done + "/" + total + ", ETA " + eta + (run.isEmpty() ? "" : ", all " + job.eta());
        int limit = width - 1;
        String[] tails = extra.isEmpty() ? new String[] {""}
                : new String[] {", " + extra, ", " + extra.split(", ")[0], ""};
        for (String tail : tails) {
            int room = limit - head.length() - numbers.length() - tail.length() - 3;
            if (room >= 10) {
                int filled = (int) (room * done / Math.max(1, total));
                return head + " [" + "=".repeat(filled) + (filled < room ? ">" + " ".repeat(room - filled - 1) : "")
                        + "]" + numbers + tail;
            }
        }
        String line = head + numbers;
        return line.length() <= limit ? line : line.substring(0, Math.max(0, limit));
    }

    /** Seconds as "4:05", or "1:02:03" from an hour on. */
    static String clock(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
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
        // ./normkit pipes stderr through a filter and says here whether it was a terminal.
        if ("1".equals(System.getenv("NORMKIT_STDERR_TERMINAL"))) {
            return true;
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
