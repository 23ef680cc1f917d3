package org.normkit.cli.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceParityFloat64FigureTest {
    private static final String CSV_HEADER = "net,norm,batch_size,lr,optimizer,weight_decay,dropout,seed,epoch,"
            + "train_loss,test_loss,test_accuracy,train_accuracy,seconds,samples_per_second,status\n";

    @TempDir
    Path root;

    /** The LSTM run, layer_norm, seeds 0 and 1, epochs 1 and 2: accuracy {@code accuracy[seed]} at epoch 2. */
    private void normkit(String folder, double[] accuracy, double[] loss) throws IOException {
        StringBuilder csv = new StringBuilder(CSV_HEADER);
        for (int seed = 0; seed < accuracy.length; seed++) {
            for (int epoch = 1; epoch <= 2; epoch++) {
                csv.append(String.format(Locale.ROOT, "lstm,layer_norm,32,0.001,adam,0,0,%d,%d,1.0,%s,%s,0.5,1.0,"
                        + "100.0,ok%n", seed, epoch, epoch == 1 ? 2.0 : loss[seed], epoch == 1 ? 0.3 : accuracy[seed]));
            }
        }
        Path dir = root.resolve(SequenceParityFloat64Figure.FOLDER + folder);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.csv"), csv.toString());
    }

    private void pytorch(String file, double[] accuracy, double[] loss, boolean float64) throws IOException {
        StringBuilder jsonl = new StringBuilder();
        for (int seed = 0; seed < accuracy.length; seed++) {
            for (int epoch = 1; epoch <= 2; epoch++) {
                jsonl.append(String.format(Locale.ROOT, "{\"norm\": \"layer_norm\", \"seed\": %d, \"epoch\": %d, "
                        + "\"test_accuracy\": %s, \"test_loss\": %s, \"init_from\": \"/tmp/s\"%s}%n", seed, epoch,
                        epoch == 1 ? 0.3 : accuracy[seed], epoch == 1 ? 2.0 : loss[seed],
                        float64 ? ", \"dtype\": \"float64\"" : ""));
            }
        }
        Path path = root.resolve(SequenceParityFloat64Figure.FOLDER + file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, jsonl.toString());
    }

    @Test
    void bothFloat64SidesAreComparedPerSeedBesideEachFrameworksOwnRounding() throws IOException {
        normkit("normkit-lstm-fashion", new double[] {0.60, 0.64}, new double[] {1.1, 1.2});
        pytorch("pytorch-lstm-fashion.jsonl", new double[] {0.63, 0.61}, new double[] {1.1, 1.2}, false);
        // float64: the same accuracy on both sides, losses 1e-9 apart (relative 1e-9 of 1.0).
        normkit("normkit64-lstm-fashion", new double[] {0.62, 0.62}, new double[] {1.0, 1.0});
        pytorch("pytorch64-lstm-fashion.jsonl", new double[] {0.62, 0.62}, new double[] {1.0 + 1e-9, 1.0}, true);

        String row = new SequenceParityFloat64Figure().render(root).lines().filter(l -> l.startsWith("| LSTM"))
                .findFirst().orElseThrow();

        // normkit float32 − float64: -2.0 and +2.0 points, mean 0, s = 2.83, t(1) = 12.706: ±25.41.
        // PyTorch: +1.0 and -1.0 points, ±12.71.
        assertEquals("| LSTM, row-sequential Fashion-MNIST | layer_norm | 0, 1 | +0.0 / +0.0 | 0 / 1e-09 "
                + "| -2.0 / +2.0 → +0.00 points [-25.41, +25.41] | +1.0 / -1.0 → +0.00 points [-12.71, +12.71] |",
                row);
    }

    @Test
    void aFloat32LineInTheFloat64FileIsRefused() throws IOException {
        normkit("normkit-lstm-fashion", new double[] {0.60}, new double[] {1.1});
        pytorch("pytorch-lstm-fashion.jsonl", new double[] {0.63}, new double[] {1.1}, false);
        normkit("normkit64-lstm-fashion", new double[] {0.62}, new double[] {1.0});
        pytorch("pytorch64-lstm-fashion.jsonl", new double[] {0.62}, new double[] {1.0}, false);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new SequenceParityFloat64Figure().render(root));
        assertTrue(e.getMessage().contains("pytorch64-lstm-fashion.jsonl holds a line that is not a paired float64 "
                + "run"), e.getMessage());
    }
}
