package org.normkit.cli.readme;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceParityFigureTest {
    private static final String CSV_HEADER = "net,norm,batch_size,lr,optimizer,weight_decay,dropout,seed,epoch,"
            + "train_loss,test_loss,test_accuracy,train_accuracy,seconds,samples_per_second,status\n";

    @TempDir
    Path root;

    /**
     * Every run with one norm and seeds 0 and 1 at epoch 2: accuracies {@code nk} and {@code pt} on the image runs,
     * 5 × them in bits per character on the text run (normkit records nats); epoch 1 rows must be ignored.
     */
    private void write(double[] nk, double[] pt, int pytorchSeeds) throws IOException {
        for (SequenceParityFigure.Run run : SequenceParityFigure.RUNS) {
            StringBuilder csv = new StringBuilder(CSV_HEADER);
            StringBuilder jsonl = new StringBuilder();
            for (int seed = 0; seed < 2; seed++) {
                for (int epoch = 1; epoch <= 2; epoch++) {
                    double value = epoch == 1 ? 0.5 : nk[seed];
                    String loss = run.text() ? Double.toString(5 * value * Math.log(2)) : "1.0";
                    String accuracy = run.text() ? "0.2" : Double.toString(value);
                    csv.append(String.format(Locale.ROOT, "net,layer_norm,32,0.001,adam,0,0,%d,%d,1.0,%s,%s,0.5,1.0,"
                            + "100.0,ok%n", seed, epoch, loss, accuracy));
                }
            }
            for (int seed = 0; seed < pytorchSeeds; seed++) {
                for (int epoch = 1; epoch <= 2; epoch++) {
                    double value = epoch == 1 ? 0.5 : pt[seed];
                    double bits = 5 * value;
                    jsonl.append(String.format(Locale.ROOT, "{\"norm\": \"layer_norm\", \"seed\": %d, \"epoch\": %d, "
                            + "\"test_accuracy\": %s, \"bits_per_character\": %s, \"torch\": \"1.13.0\"}%n", seed,
                            epoch, value, bits));
                }
            }
            Path folder = root.resolve(SequenceParityFigure.FOLDER + "normkit-" + run.name());
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("results.csv"), csv.toString());
            Files.writeString(root.resolve(SequenceParityFigure.FOLDER + "pytorch-" + run.name() + ".jsonl"),
                    jsonl.toString());
        }
    }

    @Test
    void differencesAreInPointsForAccuracyAndInBitsForTextAgainstTheirBounds() throws IOException {
        write(new double[] {0.4, 0.6}, new double[] {0.492, 0.5}, 2);
        String block = new SequenceParityFigure().render(root);
        assertTrue(block.contains("| transformer, fortunes (character language model) | layer_norm | 2.000 / 3.000 → 2.500 "
                + "| 2.460 / 2.500 → 2.480 | +0.020 |"), block);
        String images = block.lines().filter(l -> l.startsWith("| transformer, row-sequential")).findFirst()
                .orElseThrow();
        assertTrue(images.startsWith("| transformer, row-sequential Fashion-MNIST | layer_norm | 0.400 / 0.600 → 0.500 "
                + "| 0.492 / 0.500 → 0.496 | +0.4 points | p = ") && images.endsWith("| yes |"), images);
    }

    @Test
    void anAccuracyGapOfMoreThanAPointIsOutsideTheBound() throws IOException {
        write(new double[] {0.70, 0.72}, new double[] {0.68, 0.70}, 2);
        String block = new SequenceParityFigure().render(root);
        assertTrue(block.contains("| LSTM, row-sequential Fashion-MNIST | layer_norm | 0.700 / 0.720 → 0.710 "
                + "| 0.680 / 0.700 → 0.690 | +2.0 points |"), block);
        assertTrue(block.contains("PyTorch 1.13.0, per seed → mean"), block);
    }

    @Test
    void differentSeedsOnTheTwoSidesAreRefusedNamingTheScript() throws IOException {
        write(new double[] {0.70, 0.72}, new double[] {0.68, 0.70}, 1);
        String message = assertThrows(IllegalStateException.class,
                () -> new SequenceParityFigure().render(root)).getMessage();
        assertTrue(message.contains(SequenceParityFigure.SCRIPT), message);
    }
}
