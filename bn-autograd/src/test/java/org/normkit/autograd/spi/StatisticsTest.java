package org.normkit.autograd.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/** The family's one rule for which statistics normalise, and the two kinds it chooses between. */
class StatisticsTest {
    private final Tensor mean = Tensor.zeros(DType.FLOAT64, 3);
    private final Tensor variance = Tensor.ones(DType.FLOAT64, 3);

    @Test
    void batchStatisticsAreBatchAndRunningOnesAreNot() {
        assertTrue(Statistics.batch().isBatch());
        Statistics running = Statistics.running(mean, variance);
        assertFalse(running.isBatch());
        Statistics.Running constants = assertInstanceOf(Statistics.Running.class, running);
        assertSame(mean, constants.mean());
        assertSame(variance, constants.variance());
    }

    @Test
    void trainingUsesTheBatchEvenWithRunningStatistics() {
        assertTrue(Statistics.choose(true, mean, variance).isBatch());
    }

    @Test
    void evaluationWithoutRunningStatisticsUsesTheBatch() {
        assertTrue(Statistics.choose(false, null, null).isBatch());
    }

    @Test
    void evaluationWithRunningStatisticsUsesThemAsConstants() {
        Statistics.Running chosen = assertInstanceOf(Statistics.Running.class, Statistics.choose(false, mean, variance));
        assertSame(mean, chosen.mean());
        assertSame(variance, chosen.variance());
    }

    @Test
    void aRunningMeanWithoutAVarianceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Statistics.choose(false, mean, null));
        assertEquals("running statistics need both a mean and a variance; the variance is missing", e.getMessage());
    }
}
