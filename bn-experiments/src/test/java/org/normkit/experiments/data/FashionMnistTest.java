package org.normkit.experiments.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir
    Path dir;

    /** Writes a tiny but well-formed Fashion-MNIST folder: {@code train} and {@code test} images of 28×28. */
    private void writeFolder(int train, int test, boolean gzip) {
        String suffix = gzip ? ".gz" : "";
        IdxWriter.writeImages(dir.resolve("train-images-idx3-ubyte" + suffix), train, 28, 28, new byte[train * 784]);
        IdxWriter.writeLabels(dir.resolve("train-labels-idx1-ubyte" + suffix), labels(train));
        IdxWriter.writeImages(dir.resolve("t10k-images-idx3-ubyte" + suffix), test, 28, 28, new byte[test * 784]);
        IdxWriter.writeLabels(dir.resolve("t10k-labels-idx1-ubyte" + suffix), labels(test));
    }

    private static int[] labels(int count) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 10;
        }
        return labels;
    }

    @Nested
    class FromAFolder {

        @Test
        void readsGzippedFilesScaledToUnitRange() {
            writeFolder(12, 5, true);
            IdxWriter.writeImages(dir.resolve("train-images-idx3-ubyte.gz"), 12, 28, 28, filled(12, (byte) 255));

            DatasetSplit split = FashionMnist.load(Optional.of(dir));

            assertEquals(12, split.train().rows());
            assertEquals(5, split.test().rows());
            assertEquals(1f, split.train().pixel(3, 100));
            assertFalse(split.synthetic());
            assertEquals("", split.notice());
        }

        @Test
        void readsPlainFilesToo() {
            writeFolder(10, 10, false);

            assertEquals(10, FashionMnist.load(Optional.of(dir)).test().rows());
        }

        @Test
        void imageAndLabelCountsMustMatch() {
            writeFolder(12, 5, true);
            IdxWriter.writeLabels(dir.resolve("t10k-labels-idx1-ubyte.gz"), labels(4));

            DatasetException error = assertThrows(DatasetException.class, () -> FashionMnist.load(Optional.of(dir)));

            assertTrue(error.getMessage().contains(dir.resolve("t10k-images-idx3-ubyte.gz") + " holds 5 images but "
                    + dir.resolve("t10k-labels-idx1-ubyte.gz") + " holds 4 labels"), error.getMessage());
        }

        @Test
        void imagesMustBe28By28() {
            writeFolder(2, 2, true);
            IdxWriter.writeImages(dir.resolve("train-images-idx3-ubyte.gz"), 2, 32, 32, new byte[2 * 32 * 32]);

            DatasetException error = assertThrows(DatasetException.class, () -> FashionMnist.load(Optional.of(dir)));

            assertTrue(error.getMessage().contains("holds 32×32 images, but Fashion-MNIST's are 28×28"),
                    error.getMessage());
        }

        @Test
        void labelsMustBeBelowTen() {
            writeFolder(2, 2, true);
            IdxWriter.writeLabels(dir.resolve("train-labels-idx1-ubyte.gz"), new int[] {3, 12});

            DatasetException error = assertThrows(DatasetException.class, () -> FashionMnist.load(Optional.of(dir)));

            assertTrue(error.getMessage().contains("has label 12 at row 1"), error.getMessage());
        }

        @Test
        void aGivenFolderMissingFilesIsAnErrorNotAFallback() {
            IdxWriter.writeLabels(dir.resolve("train-labels-idx1-ubyte.gz"), labels(3));

            DatasetException error = assertThrows(DatasetException.class, () -> FashionMnist.load(Optional.of(dir)));

            assertTrue(error.getMessage().startsWith("Fashion-MNIST folder " + dir + " lacks "
                    + "train-images-idx3-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"),
                    error.getMessage());
        }

        @Test
        void aGivenFolderThatDoesNotExist() {
            Path absent = dir.resolve("nowhere");

            DatasetException error = assertThrows(DatasetException.class,
                    () -> FashionMnist.load(Optional.of(absent)));

            assertTrue(error.getMessage().contains(absent + " does not exist"), error.getMessage());
        }
    }

    @Nested
    class DefaultFolder {

        @Test
        void absentFilesFallBackToSyntheticDataAndSaySo() {
            Path empty = dir.resolve("fashion-mnist");

            DatasetSplit split = FashionMnist.load(Optional.empty(), empty);

            assertTrue(split.synthetic());
            assertEquals("Fashion-MNIST not found in " + empty + ": using a small synthetic 28×28 ten-class data set. "
                    + "Install the real data with: sudo apt-get install dataset-fashion-mnist", split.notice());
            assertEquals(SyntheticImages.DEFAULT_TRAIN_ROWS, split.train().rows());
        }

        @Test
        void aPartlyInstalledFolderIsAnError() throws Exception {
            Files.createDirectories(dir);
            IdxWriter.writeLabels(dir.resolve("train-labels-idx1-ubyte.gz"), labels(3));

            assertThrows(DatasetException.class, () -> FashionMnist.load(Optional.empty(), dir));
        }

        @Test
        void theInstalledPackageReadsIfPresent() {
            Path installed = Path.of(FashionMnist.DEFAULT_FOLDER);
            assumeTrue(Files.isRegularFile(installed.resolve("t10k-labels-idx1-ubyte.gz")),
                    "dataset-fashion-mnist is not installed");

            DatasetSplit split = FashionMnist.load(Optional.empty());

            assertEquals(60_000, split.train().rows());
            assertEquals(10_000, split.test().rows());
            assertEquals(784, split.test().pixelsPerImage());
            for (int count : split.test().classCounts()) {
                assertEquals(1000, count);
            }
        }
    }

    private static byte[] filled(int images, byte value) {
        byte[] pixels = new byte[images * 784];
        java.util.Arrays.fill(pixels, value);
        return pixels;
    }
}
