package org.normkit.cli.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceEpochTimeFigureTest {
    private static final String HEADER = String.join(",", SequenceEpochTimeFigure.HEADER) + "\n";

    @TempDir
    Path root;

    private void write(String content) throws IOException {
        Path file = root.resolve(SequenceEpochTimeFigure.FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    @Test
    void withoutTheFileTheBlockSaysItIsNotMeasuredAndNamesTheScript() {
        assertEquals("Not measured yet: `" + SequenceEpochTimeFigure.SCRIPT + "` writes `"
                + SequenceEpochTimeFigure.FILE + "` on a quiet machine.\n", new SequenceEpochTimeFigure().render(root));
    }

    /** The file run-epoch-time.sh wrote on its tiny setting (SEQ_TINY=1: 2 rounds of 1 epoch) on 2026-12-02. */
    @Test
    void theScriptsOwnOutputRendersEveryRun() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/readme/sequence-epoch-times-tiny.csv")) {
            write(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        String block = new SequenceEpochTimeFigure().render(root);
        assertTrue(block.contains("| transformer, fashion-rows, layer_norm, batch 32, 64 training images | 2 |"), block);
        assertTrue(block.contains("| lstm, fashion-rows, layer_norm, batch 32, 64 training images | 2 |"), block);
        assertTrue(block.contains("| transformer, text, batch_norm, batch 16, 16 training documents | 2 |"), block);
        assertTrue(block.contains("torch 1.13"), block);
    }

    @Test
    void withTwoEpochsTheLaterEpochIsTheSecondAndEachSideIsTheMedianOverRounds() throws IOException {
        StringBuilder csv = new StringBuilder(HEADER);
        double[] normkitLast = {4, 9, 5};
        double[] pytorchLast = {2, 2.5, 1};
        for (int round = 1; round <= 3; round++) {
            csv.append("normkit,commit abc,lstm-fashion,lstm,fashion-rows,layer_norm,32,1000,").append(round)
                    .append(",1,10\n");
            csv.append("normkit,commit abc,lstm-fashion,lstm,fashion-rows,layer_norm,32,1000,").append(round)
                    .append(",2,").append(normkitLast[round - 1]).append('\n');
            csv.append("pytorch,torch 1.13.0,lstm-fashion,lstm,fashion-rows,layer_norm,32,1000,").append(round)
                    .append(",1,3\n");
            csv.append("pytorch,torch 1.13.0,lstm-fashion,lstm,fashion-rows,layer_norm,32,1000,").append(round)
                    .append(",2,").append(pytorchLast[round - 1]).append('\n');
        }
        write(csv.toString());
        String block = new SequenceEpochTimeFigure().render(root);
        assertTrue(block.contains("| lstm, fashion-rows, layer_norm, batch 32, 1000 training images | 3 | 10.00 | 5.00 "
                + "| 3.00 | 2.00 | 2.50× |"), block);
    }

    @Test
    void withFourEpochsEachRoundCountsTheMeanOfEpochsThreeAndFourAndTheMedianOverRoundsIsCompared()
            throws IOException {
        StringBuilder csv = new StringBuilder(HEADER);
        // Per round, normkit's epochs 3 and 4 average 6, 3, 4 and PyTorch's 2, 1, 5: medians 4 and 2.
        double[][] normkit = {{20, 9, 7, 5}, {20, 9, 2, 4}, {20, 9, 4, 4}};
        double[][] pytorch = {{8, 7, 2, 2}, {8, 7, 1, 1}, {8, 7, 6, 4}};
        for (int round = 1; round <= 3; round++) {
            for (int epoch = 1; epoch <= 4; epoch++) {
                csv.append("normkit,commit abc,transformer-text,transformer,text,batch_norm,16,150,").append(round)
                        .append(',').append(epoch).append(',').append(normkit[round - 1][epoch - 1]).append('\n');
                csv.append("pytorch,torch 1.13.0,transformer-text,transformer,text,batch_norm,16,150,").append(round)
                        .append(',').append(epoch).append(',').append(pytorch[round - 1][epoch - 1]).append('\n');
            }
        }
        write(csv.toString());
        String block = new SequenceEpochTimeFigure().render(root);
        assertTrue(block.contains("| transformer, text, batch_norm, batch 16, 150 training documents | 3 | 20.00 | 4.00 "
                + "| 8.00 | 2.00 | 2.00× |"), block);
        assertTrue(block.contains("later epochs: each round's mean of epochs 3–4"), block);
    }

    @Test
    void aFileWithAnotherHeaderIsRefusedNamingTheScript() throws IOException {
        write("framework,seconds\nnormkit,3\n");
        String message = assertThrows(IllegalStateException.class,
                () -> new SequenceEpochTimeFigure().render(root)).getMessage();
        assertTrue(message.contains(SequenceEpochTimeFigure.SCRIPT), message);
    }
}
