package org.normkit.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class DatasetTest {

    private static final float[] PIXELS = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};

    @Test
    void gatheringBuildsABatchInTheOrderAsked() {
        Dataset data = Dataset.of(PIXELS, new int[] {0, 1, 2}, 1, 2, 3, "test");

        assertArrayEquals(new float[] {0.5f, 0.6f, 0.1f, 0.2f}, data.gatherImages(new int[] {2, 0}));
        assertArrayEquals(new int[] {2, 0}, data.gatherLabels(new int[] {2, 0}));
    }

    @Test
    void anIdxSetReadsEveryByteAsItsValueOver255InEveryAccessorOnAndOffTheHeap() {
        byte[] bytes = new byte[256];
        for (int b = 0; b < 256; b++) {
            bytes[b] = (byte) b;
        }
        float[] expected = new float[256];
        for (int b = 0; b < 256; b++) {
            expected[b] = (bytes[b] & 0xFF) / 255f;
        }
        int[] labels = new int[64];
        for (Dataset data : new Dataset[] {
            Dataset.fromIdx(new IdxImages(Path.of("test.idx"), 64, 2, 2, bytes.clone()), labels, 1, "on the heap"),
            Dataset.fromIdxOffHeap(new IdxImages(Path.of("test.idx"), 64, 2, 2, bytes.clone()), labels, 1, "off")}) {
            assertReadsAsBytesOver255(data, expected);
        }
    }

    private static void assertReadsAsBytesOver255(Dataset data, float[] expected) {
        int[] all = new int[64];
        for (int row = 0; row < 64; row++) {
            all[row] = 63 - row;
        }
        float[] gathered = data.gatherImages(all);
        for (int row = 0; row < 64; row++) {
            for (int p = 0; p < 4; p++) {
                assertEquals(Float.floatToIntBits(expected[(63 - row) * 4 + p]),
                        Float.floatToIntBits(gathered[row * 4 + p]), "row " + row + " pixel " + p);
                assertEquals(Float.floatToIntBits(expected[row * 4 + p]), Float.floatToIntBits(data.pixel(row, p)));
            }
        }
        assertArrayEquals(expected, data.images());
        assertArrayEquals(java.util.Arrays.copyOf(expected, 12), data.first(3).images());
        assertEquals(1f, data.pixel(63, 3));
    }

    @Test
    void changingTheArraysGivenDoesNotChangeTheDataSet() {
        float[] pixels = PIXELS.clone();
        Dataset data = Dataset.of(pixels, new int[] {0, 1, 2}, 1, 2, 3, "test");
        pixels[0] = 9f;

        assertEquals(0.1f, data.pixel(0, 0));
    }

    @Test
    void labelsMustBeInRange() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Dataset.of(PIXELS, new int[] {0, 3, 1}, 1, 2, 3, "test"));

        assertTrue(error.getMessage().contains("label 3 at row 1 is outside 0..2"), error.getMessage());
    }

    @Test
    void firstRowsMakeASmallerSet() {
        Dataset data = Dataset.of(PIXELS, new int[] {0, 1, 2}, 1, 2, 3, "test").first(2);

        assertEquals(2, data.rows());
        assertEquals(0.4f, data.pixel(1, 1));
    }
}
