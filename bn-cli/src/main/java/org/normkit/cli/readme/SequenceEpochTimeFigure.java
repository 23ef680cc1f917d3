package org.normkit.cli.readme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.normkit.experiments.report.MarkdownTable;

/**
 * The epoch time of the sequence nets against PyTorch (issue 13: no worse on the same machine and thread count), from
 * {@value #FILE}, which {@value #SCRIPT} writes in the quiet window: per run, the median over rounds of each side's
 * first epoch (the JVM's warm-up included) and of its later epochs (each round's mean of the later half of its epochs,
 * 3–4 of 4: both sides' first epochs pay a warm-up, PyTorch's too, 0.77 s against 0.49 s on text), and normkit's
 * later epochs over PyTorch's. With two epochs a run (the files before 2026-12-02 22:30 UTC) the later half is epoch
 * 2. Until that file exists the block says so: a timing taken on the loaded machine would be no figure at all.
 */
final class SequenceEpochTimeFigure implements ReadmeFigure {

    static final String FILE = "docs/results/sequence/epoch-time/epoch-times.csv";
    static final String SCRIPT = "docs/results/sequence/run-epoch-time.sh";
    static final List<String> HEADER = List.of("framework", "version", "run", "net", "data", "norm", "batch_size",
            "training_rows", "round", "epoch", "seconds");

    @Override
    public String key() {
        return "sequence-epoch-time";
    }

    @Override
    public String render(Path repositoryRoot) {
        Path file = repositoryRoot.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return "Not measured yet: `" + SCRIPT + "` writes `" + FILE + "` on a quiet machine.\n";
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + FILE + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty() || !Arrays.asList(lines.get(0).split(",", -1)).equals(HEADER)) {
            throw new IllegalStateException(FILE + " does not start with the header " + String.join(",", HEADER)
                    + ": make it with " + SCRIPT);
        }
        Map<String, Run> runs = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != HEADER.size()) {
                throw new IllegalStateException(FILE + ": the line '" + line + "' has " + f.length + " fields, not "
                        + HEADER.size() + ": make the file with " + SCRIPT);
            }
            Run run = runs.computeIfAbsent(f[2], name -> new Run(f[3] + ", " + f[4] + ", " + f[5] + ", batch " + f[6]
                    + ", " + f[7] + " training " + (f[4].equals("text") ? "documents" : "images")));
            run.add(f[0], f[0] + " " + f[1], Integer.parseInt(f[8]), Integer.parseInt(f[9]), number(f[10], line));
        }
        List<List<String>> table = new ArrayList<>();
        TreeSet<String> versions = new TreeSet<>();
        TreeSet<String> laterEpochs = new TreeSet<>();
        for (Run run : runs.values()) {
            versions.addAll(run.versions);
            double normkitLater = run.laterMedian("normkit");
            double pytorchLater = run.laterMedian("pytorch");
            table.add(List.of(run.title, Integer.toString(run.rounds.size()), seconds(run.median("normkit", 1)),
                    seconds(normkitLater), seconds(run.median("pytorch", 1)), seconds(pytorchLater),
                    String.format(Locale.ROOT, "%.2f×", normkitLater / pytorchLater)));
            laterEpochs.add(run.laterEpochs());
        }
        return new MarkdownTable(List.of("run (one thread)", "rounds", "normkit epoch 1 (s)",
                "normkit later epochs (s)", "PyTorch epoch 1 (s)", "PyTorch later epochs (s)",
                "normkit ÷ PyTorch, later epochs"), table).markdown()
                + "\nMedians over rounds of a whole training epoch (batches assembled, forward, backward, optimizer); "
                + "later epochs: " + String.join(" / ", laterEpochs) + "; every run a fresh process, the side going first alternating; " + String.join(", ", versions) + ". Made by `"
                + SCRIPT + "`.\n";
    }

    private static double number(String field, String line) {
        try {
            return Double.parseDouble(field);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(FILE + ": the line '" + line + "' has no number of seconds", e);
        }
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.2f", s);
    }

    /** One run's seconds by framework and epoch, over rounds. */
    private static final class Run {
        final String title;
        final TreeSet<Integer> rounds = new TreeSet<>();
        final TreeSet<String> versions = new TreeSet<>();
        final Map<String, List<Double>> seconds = new LinkedHashMap<>();
        int lastEpoch;

        Run(String title) {
            this.title = title;
        }

        void add(String framework, String version, int round, int epoch, double s) {
            rounds.add(round);
            versions.add(version);
            lastEpoch = Math.max(lastEpoch, epoch);
            seconds.computeIfAbsent(framework + "/" + epoch, k -> new ArrayList<>()).add(s);
        }

        /** The later half of the epochs: from lastEpoch/2 + 1 to lastEpoch (epoch 2 of 2, epochs 3–4 of 4). */
        int firstLaterEpoch() {
            return lastEpoch / 2 + 1;
        }

        String laterEpochs() {
            return firstLaterEpoch() == lastEpoch ? "epoch " + lastEpoch + " of each round"
                    : "each round's mean of epochs " + firstLaterEpoch() + "–" + lastEpoch;
        }

        double median(String framework, int epoch) {
            return medianOf(values(framework, epoch));
        }

        /** The median over rounds of each round's mean of the later epochs. */
        double laterMedian(String framework) {
            int count = lastEpoch - firstLaterEpoch() + 1;
            double[] means = null;
            for (int epoch = firstLaterEpoch(); epoch <= lastEpoch; epoch++) {
                List<Double> values = values(framework, epoch);
                if (means == null) {
                    means = new double[values.size()];
                } else if (values.size() != means.length) {
                    throw new IllegalStateException(FILE + ": " + framework + " epoch " + epoch + " of " + title
                            + " has " + values.size() + " rounds, an earlier epoch " + means.length
                            + ": make the file with " + SCRIPT);
                }
                for (int r = 0; r < means.length; r++) {
                    means[r] += values.get(r) / count;
                }
            }
            return medianOf(java.util.Arrays.stream(means).boxed().toList());
        }

        private List<Double> values(String framework, int epoch) {
            List<Double> values = seconds.get(framework + "/" + epoch);
            if (values == null) {
                throw new IllegalStateException(FILE + " has no " + framework + " epoch " + epoch + " of " + title
                        + ": make it with " + SCRIPT);
            }
            return values;
        }

        private static double medianOf(List<Double> values) {
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
    }
}
