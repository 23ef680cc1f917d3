package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.report.ProbeCsv;
import org.normkit.experiments.report.ProbeReport;
import org.normkit.experiments.report.ProbeRow;
import org.normkit.experiments.report.RunConfig;
import org.normkit.experiments.report.RunKey;

class BatchStatisticsProbeTest {
    private static final RunKey KEY = new RunKey(new RunConfig("mlp", "batch_norm", 2, 0.1, "sgd", 0, 0), 0);
    private static final double ROOT_TWO = Math.sqrt(2);

    @TempDir
    Path dir;

    /** BatchNorm over 2 channels, running mean 0 and running variance 4. */
    private static Normalization batchNorm() {
        Normalization bn = TinyData.REGISTRY.get("batch_norm1d").create(NormSpec.of(2).withEps(1e-12));
        bn.stateDict().get("running_var").copyFrom(Tensor.of(new double[] {4, 4}, 2).to(bn.spec().dtype()));
        return bn;
    }

    @Nested
    class Figures {
        @Test
        void shiftsAreMeasuredInRunningStandardDeviationsAndRelativeVariance() {
            Normalization bn = batchNorm();
            BatchStatisticsProbe probe = BatchStatisticsProbe.attach(bn);
            // Channel 0 holds 0 and 4 (mean 2, biased variance 4); channel 1 holds -1 -/+ 2·√2 (mean -1, variance 8).
            bn.forward(Tensor.of(new float[] {0, (float) (-1 - 2 * ROOT_TWO), 4, (float) (-1 + 2 * ROOT_TWO)}, 2, 2));

            ProbeRow row = probe.endEpoch(KEY, 1).orElseThrow();

            assertEquals(1, probe.layers());
            assertEquals((2.0 / 2 + 1.0 / 2) / 2, row.meanShift(), 1e-6);
            assertEquals((0.0 / 4 + 4.0 / 4) / 2, row.varianceShift(), 1e-5);
        }

        @Test
        void aBatchWithTheRunningStatisticsShowsNoShift() {
            Normalization bn = batchNorm();
            bn.stateDict().get("running_mean").copyFrom(Tensor.of(new float[] {2, -1}, 2));
            bn.stateDict().get("running_var").copyFrom(Tensor.of(new float[] {4, 8}, 2));
            BatchStatisticsProbe probe = BatchStatisticsProbe.attach(bn);
            bn.forward(Tensor.of(new float[] {0, (float) (-1 - 2 * ROOT_TWO), 4, (float) (-1 + 2 * ROOT_TWO)}, 2, 2));

            ProbeRow row = probe.endEpoch(KEY, 1).orElseThrow();

            assertEquals(0, row.meanShift(), 1e-6);
            assertEquals(0, row.varianceShift(), 1e-6);
        }

        @Test
        void anEpochStartsAfreshAndEvaluationIsNotWatched() {
            Normalization bn = batchNorm();
            BatchStatisticsProbe probe = BatchStatisticsProbe.attach(bn);
            bn.forward(Tensor.of(new float[] {0, 1, 2, 3}, 2, 2));
            probe.endEpoch(KEY, 1).orElseThrow();
            bn.eval();
            bn.forward(Tensor.of(new float[] {0, 1, 2, 3}, 2, 2));

            assertTrue(probe.endEpoch(KEY, 2).isEmpty());
        }

        @Test
        void aNetWithoutRunningStatisticsHasNothingToWatch() {
            Normalization ln = TinyData.REGISTRY.get("layer_norm").create(NormSpec.of(2));
            BatchStatisticsProbe probe = BatchStatisticsProbe.attach(ln);
            ln.forward(Tensor.of(new float[] {0, 1, 2, 3}, 2, 2));

            assertEquals(0, probe.layers());
            assertTrue(probe.endEpoch(KEY, 1).isEmpty());
        }
    }

    @Nested
    class InExperiments {
        @Test
        void everyEpochOfARunWithRunningStatisticsGetsAProbeRowAndAReport() throws IOException {
            Path out = dir.resolve("probe");
            String console = new TinyData.Console().experiment(TinyData.config(List.of("none", "batch_norm",
                    "layer_norm"), out));

            List<ProbeRow> rows = ProbeCsv.read(out.resolve(ProbeCsv.FILE_NAME));
            assertEquals(2 * 2, rows.size(), rows.toString());
            assertTrue(rows.stream().allMatch(r -> r.key().config().norm().equals("batch_norm") && r.layers() == 1
                    && r.meanShift() > 0 && r.varianceShift() > 0), rows.toString());
            assertTrue(Files.readString(out.resolve(ProbeReport.MARKDOWN_FILE)).contains("| mlp/batch_norm b32 | 1 | 2 |"));
            assertTrue(console.contains("batch-statistics probe: "), console);
        }

        @Test
        void aRerunKeepsOneProbeRowPerRunAndEpoch() {
            Path out = dir.resolve("rerun");
            new TinyData.Console().experiment(TinyData.config(List.of("batch_norm"), out));
            Path data = out.resolve(org.normkit.experiments.report.ResultsCsv.FILE_NAME);
            // Lose the second seed's rows from results.csv: the rerun trains it again.
            try {
                List<String> lines = Files.readAllLines(data);
                Files.write(data, lines.stream().filter(l -> !l.contains(",1,1,") && !l.contains(",1,2,")).toList());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            new TinyData.Console().experiment(TinyData.config(List.of("batch_norm"), out));

            assertEquals(2 * 2, ProbeCsv.read(out.resolve(ProbeCsv.FILE_NAME)).size());
        }
    }
}
