package org.normkit.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    @TempDir
    Path dir;

    private static byte[] pixels(int count) {
        byte[] pixels = new byte[count];
        for (int i = 0; i < count; i++) {
            pixels[i] = (byte) (i * 7);
        }
        return pixels;
    }

    @Nested
    class RoundTrip {

        @ParameterizedTest
        @ValueSource(strings = {"images-idx3-ubyte", "images-idx3-ubyte.gz"})
        void imagesReadBackAsWritten(String name) {
            Path file = dir.resolve(name);
            byte[] written = pixels(3 * 4 * 5);
            IdxWriter.writeImages(file, 3, 4, 5, written);

            IdxImages read = IdxReader.standard().readImages(file);

            assertEquals(3, read.count());
            assertEquals(4, read.height());
            assertEquals(5, read.width());
            assertArrayEquals(written, read.pixels());
        }

        @ParameterizedTest
        @ValueSource(strings = {"labels-idx1-ubyte", "labels-idx1-ubyte.gz"})
        void labelsReadBackAsWritten(String name) {
            Path file = dir.resolve(name);
            int[] written = {0, 9, 3, 255, 1};
            IdxWriter.writeLabels(file, written);

            assertArrayEquals(written, IdxReader.standard().readLabels(file));
        }

        @Test
        void gzipIsRecognisedByContentNotByName() throws IOException {
            Path gz = dir.resolve("labels.gz");
            IdxWriter.writeLabels(gz, new int[] {4, 2});
            Path renamed = Files.move(gz, dir.resolve("labels-unpacked"));

            assertArrayEquals(new int[] {4, 2}, IdxReader.standard().readLabels(renamed));
        }
    }

    @Nested
    class Rejects {

        @Test
        void truncatedPixelsNamingTheFileTheHeaderAndWhatWasFound() throws IOException {
            Path file = dir.resolve("train-images-idx3-ubyte");
            IdxWriter.writeImages(file, 3, 4, 5, pixels(60));
            byte[] whole = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(whole, 16 + 34));

            DatasetException error = assertThrows(DatasetException.class,
                    () -> IdxReader.withRemedy("re-install it").readImages(file));

            assertEquals(file + " is truncated: header says 3×4×5 = 60 bytes of pixels, found 34; re-install it",
                    error.getMessage());
        }

        @Test
        void truncatedGzipNamingTheFileAndTheProblem() throws IOException {
            Path file = dir.resolve("train-images-idx3-ubyte.gz");
            byte[] random = new byte[20 * 28 * 28];
            new java.util.Random(1).nextBytes(random);
            IdxWriter.writeImages(file, 20, 28, 28, random);
            byte[] whole = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(whole, whole.length / 2));

            DatasetException error = assertThrows(DatasetException.class,
                    () -> IdxReader.standard().readImages(file));

            assertTrue(error.getMessage().startsWith(file + " is truncated: header says 20×28×28 = 15680 bytes of "
                    + "pixels, found "), error.getMessage());
        }

        @Test
        void truncatedHeader() throws IOException {
            Path file = dir.resolve("t10k-labels-idx1-ubyte");
            Files.write(file, new byte[] {0, 0, 8, 1, 0, 0});

            DatasetException error = assertThrows(DatasetException.class, () -> IdxReader.standard().readLabels(file));

            assertTrue(error.getMessage().startsWith(file + " is truncated: the header"), error.getMessage());
        }

        @Test
        void aFileThatIsNotIdx() throws IOException {
            Path file = dir.resolve("notes.txt");
            Files.writeString(file, "hello, world");

            DatasetException error = assertThrows(DatasetException.class, () -> IdxReader.standard().readImages(file));

            assertTrue(error.getMessage().contains(file + " is not an IDX file: its magic number is 0x68656C6C, "
                    + "expected 0x00000803"), error.getMessage());
        }

        @Test
        void swappedImageAndLabelFilesWithAHint() {
            Path labels = dir.resolve("train-labels-idx1-ubyte");
            IdxWriter.writeLabels(labels, new int[] {1, 2, 3});

            DatasetException error = assertThrows(DatasetException.class,
                    () -> IdxReader.standard().readImages(labels));

            assertTrue(error.getMessage().contains("magic number is 0x00000801, expected 0x00000803"),
                    error.getMessage());
            assertTrue(error.getMessage().contains("are the image and label files swapped?"), error.getMessage());
        }

        @Test
        void dataOfAnotherType() throws IOException {
            Path file = dir.resolve("floats");
            Files.write(file, new byte[] {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0});

            DatasetException error = assertThrows(DatasetException.class, () -> IdxReader.standard().readLabels(file));

            assertTrue(error.getMessage().contains("type 0x0D, not unsigned bytes"), error.getMessage());
        }

        @Test
        void moreBytesThanTheHeaderDescribes() throws IOException {
            Path file = dir.resolve("labels");
            Files.write(file, new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 5, 6, 7});

            DatasetException error = assertThrows(DatasetException.class, () -> IdxReader.standard().readLabels(file));

            assertTrue(error.getMessage().contains("is longer than its header says: header says 2 bytes of labels, "
                    + "found 3"), error.getMessage());
        }

        @Test
        void anEmptyDimension() throws IOException {
            Path file = dir.resolve("images");
            Files.write(file, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1});

            DatasetException error = assertThrows(DatasetException.class, () -> IdxReader.standard().readImages(file));

            assertTrue(error.getMessage().contains("dimension 2 of 3 is 0"), error.getMessage());
        }

        @Test
        void aMissingFile() {
            Path file = dir.resolve("absent.gz");

            DatasetException error = assertThrows(DatasetException.class, () -> IdxReader.standard().readImages(file));

            assertTrue(error.getMessage().startsWith(file + " does not exist"), error.getMessage());
        }
    }
}
