package org.normkit.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {

    @Test
    void theSameSeedAndEpochGiveTheSameOrder() {
        assertArrayEquals(Batches.of(1000, 32, 42).order(3), Batches.of(1000, 32, 42).order(3));
    }

    @Test
    void epochsAndSeedsGiveDifferentOrders() {
        Batches batches = Batches.of(1000, 32, 42);

        assertFalse(Arrays.equals(batches.order(1), batches.order(2)));
        assertFalse(Arrays.equals(batches.order(1), Batches.of(1000, 32, 43).order(1)));
    }

    @Test
    void everyRowIsInExactlyOneBatchPerEpoch() {
        List<int[]> epoch = Batches.of(103, 10, 5).epoch(1);

        int[] seen = new int[103];
        epoch.forEach(batch -> Arrays.stream(batch).forEach(row -> seen[row]++));
        int[] once = new int[103];
        Arrays.fill(once, 1);
        assertArrayEquals(once, seen);
    }

    @Test
    void theLastPartialBatchIsKept() {
        Batches batches = Batches.of(103, 10, 5);
        List<int[]> epoch = batches.epoch(2);

        assertEquals(11, batches.batchesPerEpoch());
        assertEquals(11, epoch.size());
        assertEquals(3, epoch.get(10).length);
        assertEquals(3, batches.lastBatchSize());
    }

    @Test
    void batchSizeMustBePositive() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Batches.of(10, 0, 1));

        assertEquals("batch size must be at least 1, got 0", error.getMessage());
    }
}
