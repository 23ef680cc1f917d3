package org.normkit.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
