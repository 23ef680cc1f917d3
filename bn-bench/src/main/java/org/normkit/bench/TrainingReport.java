package org.normkit.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.normkit.autograd.io.AtomicFiles;

/**
 * What a run of the training-step benchmark produced: the machine, how it measured, one row per timed (net, norm,
 * face, threads), and what did not run and why. {@link #text()} and {@link #markdown()} show it as a table;
 * {@link ReportJson} writes and reads it (the rows under {@code training}).
 *
 * @param settings    {@link RunSettings#describe()}
 * @param threadsHook how the thread count was applied (norm kernels and BLAS), and which BLAS ran
 * @param batch       samples per step
 */
public record TrainingReport(@JsonProperty(required = true) MachineInfo machine, String settings, String threadsHook,
                             int batch, @JsonProperty(value = "training", required = true) List<Row> results,
                             List<TrainingPlan.Skip> skipped) {

    /**
     * One timed combination.
     *
     * @param face                  reference or fused; {@code -} for norm {@code none}
     * @param samplesPerSecond       JMH's score, the mean over the measured iterations
     * @param samplesPerSecondError  half-width of JMH's 99.9 % confidence interval of the score (NaN if unknown)
     * @param msPerStep              {@code batch / samplesPerSecond}, in milliseconds
     * @param samplesPerSecondMedian the median iteration: on a machine shared with other work, a few slow
     *                               iterations pull the mean down and it stays put
     */
    public record Row(String net, String norm, String face, int threads, double samplesPerSecond,
                      double samplesPerSecondError, double msPerStep, double samplesPerSecondMedian) {}

    public TrainingReport {
        results = List.copyOf(results);
        skipped = List.copyOf(skipped);
    }

    /** The same report with another run's rows, skips and thread set-up (another thread count's JVM). */
    public TrainingReport plus(TrainingReport other) {
        List<Row> rows = new ArrayList<>(results);
        rows.addAll(other.results);
        List<TrainingPlan.Skip> skips = new ArrayList<>(skipped);
        for (TrainingPlan.Skip s : other.skipped) {
            if (!skips.contains(s)) {
                skips.add(s);
            }
        }
        String hooks = threadsHook.equals(other.threadsHook) ? threadsHook : threadsHook + " | " + other.threadsHook;
        return new TrainingReport(machine, settings, hooks, batch, rows, skips);
    }

    /** A plain-text table for the terminal, then what did not run. */
    public String text() {
        return table(false);
    }

    /** The same as a Markdown document. */
    public String markdown() {
        return table(true);
    }

    public void writeMarkdown(Path target) {
        AtomicFiles.writeString(target, markdown());
    }

    private String table(boolean markdown) {
        StringBuilder s = new StringBuilder();
        s.append(markdown ? "# normkit training-step benchmark\n\n" : "Training steps (batch " + batch + ")\n");
        String bullet = markdown ? "- " : "  ";
        s.append(bullet).append("machine: ").append(machine.cpu()).append(", ").append(machine.cores())
                .append(" cores, ").append(machine.runtime()).append(", ").append(machine.date()).append('\n');
        s.append(bullet).append("step: zero gradients, forward, cross-entropy, backward, optimizer step; batch ")
                .append(batch).append('\n');
        s.append(bullet).append("settings: ").append(settings).append('\n');
        s.append(bullet).append("threads: ").append(threadsHook).append("\n\n");
        String[] headers = {"net", "norm", "face", "threads", "ms/step", "samples/s", "± (99.9 %)", "median"};
        List<String[]> rows = new ArrayList<>();
        List<Row> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing(Row::net).thenComparing(r -> !r.norm().equals(TrainingWorkload.NONE))
                .thenComparing(Row::norm).thenComparingInt(r -> faceOrder(r.face())).thenComparingInt(Row::threads));
        for (Row r : sorted) {
            rows.add(new String[] {r.net(), r.norm(), r.face(), Integer.toString(r.threads()),
                String.format(Locale.ROOT, "%.3f", r.msPerStep()), String.format(Locale.ROOT, "%,.0f", r.samplesPerSecond()),
                figure(r.samplesPerSecondError()), figure(r.samplesPerSecondMedian())});
        }
        appendTable(s, headers, rows, markdown);
        if (!skipped.isEmpty()) {
            s.append(markdown ? "\n## Not run\n\n" : "\nNot run:\n");
            for (TrainingPlan.Skip k : skipped) {
                s.append(bullet).append(k.net()).append(' ').append(k.norm())
                        .append(k.face().equals("*") ? "" : " " + k.face()).append(": ").append(k.reason()).append('\n');
            }
        }
        return s.toString();
    }

    private static String figure(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%,.0f", v) : "-";
    }

    /** The face without norms, then reference, then fused, then anything else. */
    private static int faceOrder(String face) {
        return switch (face) {
            case "-" -> 0;
            case "reference" -> 1;
            case "fused" -> 2;
            default -> 3;
        };
    }

    private static void appendTable(StringBuilder s, String[] headers, List<String[]> rows, boolean markdown) {
        int[] width = new int[headers.length];
        for (int c = 0; c < headers.length; c++) {
            width[c] = headers[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        appendLine(s, headers, width, markdown);
        if (markdown) {
            StringBuilder rule = new StringBuilder("|");
            for (int c = 0; c < headers.length; c++) {
                rule.append(c < 4 ? "---|" : "---:|");
            }
            s.append(rule).append('\n');
        }
        for (String[] r : rows) {
            appendLine(s, r, width, markdown);
        }
    }

    /** Text columns left-aligned, figures right-aligned. */
    private static void appendLine(StringBuilder s, String[] cells, int[] width, boolean markdown) {
        StringBuilder line = new StringBuilder(markdown ? "| " : "");
        for (int c = 0; c < cells.length; c++) {
            String v = cells[c];
            if (!markdown) {
                String pad = " ".repeat(width[c] - v.length());
                v = c < 4 ? v + pad : pad + v;
            }
            line.append(v).append(markdown ? " | " : "  ");
        }
        s.append(line.toString().stripTrailing()).append('\n');
    }
}
