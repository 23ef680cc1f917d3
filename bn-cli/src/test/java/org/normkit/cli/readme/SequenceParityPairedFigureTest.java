package org.normkit.cli.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceParityPairedFigureTest {
    private static final String CSV_HEADER = "net,norm,batch_size,lr,optimizer,weight_decay,dropout,seed,epoch,"
            + "train_loss,test_loss,test_accuracy,train_accuracy,seconds,samples_per_second,status\n";

    @TempDir
    Path root;

    /**
     * Every run with one norm and seeds 0–2 at epochs 1 and 2: normkit's metric {@code nk[seed]}, PyTorch's
     * {@code pt[seed]} at epoch 2 (accuracy on images, bits per character on text, where normkit records nats);
     * at epoch 1 PyTorch is {@code epochOneGap} below normkit.
     */
    private void write(double[] nk, double[] pt, double epochOneGap, boolean paired) throws IOException {
        for (SequenceParityFigure.Run run : SequenceParityFigure.RUNS) {
            StringBuilder csv = new StringBuilder(CSV_HEADER);
            StringBuilder jsonl = new StringBuilder();
            for (int seed = 0; seed < nk.length; seed++) {
                for (int epoch = 1; epoch <= 2; epoch++) {
                    double value = epoch == 1 ? 0.5 : nk[seed];
                    String loss = run.text() ? Double.toString(value * Math.log(2)) : "1.0";
                    String accuracy = run.text() ? "0.2" : Double.toString(value);
                    csv.append(String.format(Locale.ROOT, "net,layer_norm,32,0.001,adam,0,0,%d,%d,1.0,%s,%s,0.5,1.0,"
                            + "100.0,ok%n", seed, epoch, loss, accuracy));
                    double peer = epoch == 1 ? 0.5 - epochOneGap : pt[seed];
                    jsonl.append(String.format(Locale.ROOT, "{\"norm\": \"layer_norm\", \"seed\": %d, \"epoch\": %d, "
                            + "\"test_accuracy\": %s, \"bits_per_character\": %s, \"torch\": \"1.13.0\"%s}%n", seed,
                            epoch, peer, peer, paired ? ", \"init_from\": \"/tmp/starts\"" : ""));
                }
            }
            Path folder = root.resolve(SequenceParityPairedFigure.FOLDER + "normkit-" + run.name());
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("results.csv"), csv.toString());
            Files.writeString(root.resolve(SequenceParityPairedFigure.FOLDER + "pytorch-" + run.name() + ".jsonl"),
                    jsonl.toString());
        }
    }

    private static String line(String block, String prefix) {
        return block.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(block));
    }

    @Test
    void theMeanPairedDifferenceHasAStudentTIntervalOverTheSeeds() throws IOException {
        // Differences 0.1, 0.3, 0.2 points: mean 0.2, s = 0.1, t(2) = 4.303, half-width 0.248 points.
        write(new double[] {0.701, 0.703, 0.702}, new double[] {0.700, 0.700, 0.700}, 0.0, true);

        String images = line(new SequenceParityPairedFigure().render(root), "| transformer, row-sequential");

        assertEquals("| transformer, row-sequential Fashion-MNIST | layer_norm | 0, 1, 2 | +0.1 / +0.3 / +0.2 "
                + "| +0.20 points [-0.05, +0.45] | 0.3 points | inside | – |", images);
    }

    @Test
    void anIntervalCrossingTheBoundIsNotShownAndOneBeyondItIsOutside() throws IOException {
        write(new double[] {0.20, 0.30, 0.22}, new double[] {0.20, 0.20, 0.20}, 0.0, true);
        String crossing = line(new SequenceParityPairedFigure().render(root), "| transformer, fortunes");
        assertTrue(crossing.endsWith("| not shown | – |"), crossing);

        write(new double[] {0.30, 0.31, 0.32}, new double[] {0.20, 0.20, 0.20}, 0.0, true);
        String beyond = line(new SequenceParityPairedFigure().render(root), "| transformer, fortunes");
        assertTrue(beyond.startsWith("| transformer, fortunes (character language model) | layer_norm | 0, 1, 2 "
                + "| +0.100 / +0.110 / +0.120 | +0.1100 ["), beyond);
        assertTrue(beyond.endsWith("| outside | – |"), beyond);
    }

    @Test
    void theLargestDifferenceLooksAtEveryEpoch() throws IOException {
        write(new double[] {0.70, 0.70, 0.70}, new double[] {0.70, 0.70, 0.70}, 0.02, true);

        String lstm = line(new SequenceParityPairedFigure().render(root), "| LSTM");

        assertEquals("| LSTM, row-sequential Fashion-MNIST | layer_norm | 0, 1, 2 | +0.0 / +0.0 / +0.0 | +0.00 points [+0.00, +0.00] "
                + "| 2.0 points | inside | – |", lstm);
    }

    @Test
    void aFloat64RunOfPytorchGivesTheRoundingAloneOverTheSeedsThatHaveIt() throws IOException {
        write(new double[] {0.701, 0.703, 0.702}, new double[] {0.700, 0.700, 0.700}, 0.0, true);
        // float64 of seeds 0 and 1 only: PyTorch float32 − float64 = +1.0 and +3.0 points; mean 2.0, s = 1.414,
        // t(1) = 12.706, half-width 12.71 points.
        Files.writeString(root.resolve(SequenceParityPairedFigure.FOLDER + "pytorch64-lstm-fashion.jsonl"),
                "{\"norm\": \"layer_norm\", \"seed\": 0, \"epoch\": 2, \"test_accuracy\": 0.690, "
                        + "\"init_from\": \"/tmp/starts\", \"dtype\": \"float64\"}\n"
                        + "{\"norm\": \"layer_norm\", \"seed\": 1, \"epoch\": 2, \"test_accuracy\": 0.670, "
                        + "\"init_from\": \"/tmp/starts\", \"dtype\": \"float64\"}\n");

        String block = new SequenceParityPairedFigure().render(root);

        assertTrue(line(block, "| LSTM").endsWith("| inside | +1.0 / +3.0 → +2.00 points [-10.71, +14.71] |"),
                line(block, "| LSTM"));
        assertTrue(line(block, "| transformer, row-sequential").endsWith("| inside | – |"), block);
    }

    @Test
    void aSeedThatDidNotFinishOnBothSidesIsLeftOut() throws IOException {
        write(new double[] {0.701, 0.703, 0.702}, new double[] {0.700, 0.700, 0.700}, 0.0, true);
        Path csv = root.resolve(SequenceParityPairedFigure.FOLDER + "normkit-transformer-fashion/results.csv");
        Files.writeString(csv, Files.readString(csv) + "net,layer_norm,32,0.001,adam,0,0,3,1,1.0,1.0,0.9,0.5,1.0,"
                + "100.0,ok\n");

        String images = line(new SequenceParityPairedFigure().render(root), "| transformer, row-sequential");

        assertTrue(images.startsWith("| transformer, row-sequential Fashion-MNIST | layer_norm | 0, 1, 2 | +0.1 / +0.3 / "
                + "+0.2 |"), images);
    }

    @Test
    void aPytorchFileOfUnpairedRunsIsRefusedNamingTheScript() throws IOException {
        write(new double[] {0.70, 0.72}, new double[] {0.68, 0.70}, 0.0, false);

        String message = assertThrows(IllegalStateException.class,
                () -> new SequenceParityPairedFigure().render(root)).getMessage();

        assertTrue(message.contains("not a paired run") && message.contains(SequenceParityPairedFigure.SCRIPT),
                message);
    }

    @Test
    void moreThanTenSeedsAreSummarisedByTheirRangeMedianExtremesAndHowManyLieBeyondTheBound() throws IOException {
        double[] nk = new double[12];
        double[] pt = new double[12];
        for (int seed = 0; seed < 12; seed++) {
            // Seeds 6 and 9 differ by exactly the bound, one point, which is not beyond it.
            nk[seed] = 0.700 + (seed == 3 ? -0.150 : seed == 7 ? 0.020 : seed == 6 || seed == 9 ? 0.010
                    : 0.001 * (seed % 3));
            pt[seed] = seed == 9 ? 0.7000000200271606 : 0.700; // as PyTorch writes 0.7 from float32
        }

        write(nk, pt, 0.0, true);

        String lstm = line(new SequenceParityPairedFigure().render(root), "| LSTM");

        assertTrue(lstm.startsWith("| LSTM, row-sequential Fashion-MNIST | layer_norm | 0–11, 12 seeds | median +0.2, "
                + "from -15.0 to +2.0; 2 of 12 beyond ±1 point | "), lstm);
    }

    @Test
    void seedsWithAGapAreListedOneByOneEvenWhenThereAreMany() {
        TreeSet<Long> seeds = new TreeSet<>();
        for (long s = 0; s < 12; s++) {
            seeds.add(s == 5 ? 20 : s);
        }

        assertEquals("0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 20", SequenceParityPairedFigure.seedList(seeds));
    }
}
