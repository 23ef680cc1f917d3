package org.normkit.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticImagesTest {

    private static float[] allPixels(Dataset data) {
        int[] rows = new int[data.rows()];
        Arrays.setAll(rows, i -> i);
        return data.gatherImages(rows);
    }

    @Test
    void theSameSeedGivesTheSameImagesAndLabels() {
        DatasetSplit first = SyntheticImages.generate(200, 50, 7);
        DatasetSplit second = SyntheticImages.generate(200, 50, 7);

        assertArrayEquals(allPixels(first.train()), allPixels(second.train()));
        assertArrayEquals(first.train().labels(), second.train().labels());
        assertArrayEquals(allPixels(first.test()), allPixels(second.test()));
    }

    @Test
    void anotherSeedGivesOtherImages() {
        assertFalse(Arrays.equals(allPixels(SyntheticImages.generate(50, 10, 1).train()),
                allPixels(SyntheticImages.generate(50, 10, 2).train())));
    }

    @Test
    void everyClassIsPresentAndBalanced() {
        DatasetSplit split = SyntheticImages.generate(200, 30, 3);

        assertArrayEquals(new int[] {20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, split.train().classCounts());
        assertTrue(Arrays.stream(split.test().classCounts()).allMatch(count -> count == 3));
    }

    @Test
    void imagesAre28By28InTheUnitRange() {
        Dataset train = SyntheticImages.generate(20, 10, 5).train();

        assertEquals(28, train.height());
        assertEquals(28, train.width());
        for (float pixel : allPixels(train)) {
            assertTrue(pixel >= 0 && pixel <= 1, "pixel " + pixel);
        }
    }

    @Test
    void theTestSetDoesNotDependOnTheTrainingSetSize() {
        assertArrayEquals(allPixels(SyntheticImages.generate(100, 20, 9).test()),
                allPixels(SyntheticImages.generate(300, 20, 9).test()));
    }

    @Test
    void itSaysItIsSynthetic() {
        DatasetSplit split = SyntheticImages.generateDefault();

        assertTrue(split.synthetic());
        assertTrue(split.notice().contains("synthetic"), split.notice());
    }

    @Test
    void classesDifferMoreThanSamplesWithinAClass() {
        Dataset train = SyntheticImages.generate(400, 10, 11).train();
        double[][] means = new double[10][784];
        for (int row = 0; row < train.rows(); row++) {
            for (int i = 0; i < 784; i++) {
                means[train.label(row)][i] += train.pixel(row, i) / 40.0;
            }
        }
        double nearestOtherClass = Double.MAX_VALUE;
        for (int a = 0; a < 10; a++) {
            for (int b = a + 1; b < 10; b++) {
                nearestOtherClass = Math.min(nearestOtherClass, distance(means[a], means[b]));
            }
        }
        assertTrue(nearestOtherClass > 1.0, "class means are too close to learn: " + nearestOtherClass);
    }

    private static double distance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }
}
