package org.normkit.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SeedStatisticsTest {

    @Nested
    class ConfidenceInterval {

        @Test
        void halfWidthIsStudentTTimesTheStandardError() {
            // mean 0.832, s = 0.01923538, t(0.975, 4) = 2.776445; 2.776445 · 0.01923538 / √5 = 0.0238838838809998
            // (checked against scipy.stats.t.ppf).
            MeanInterval interval = SeedStatistics.meanWithConfidence(new double[] {0.81, 0.84, 0.83, 0.86, 0.82});

            assertEquals(0.832, interval.mean(), 1e-12);
            assertEquals(0.0238838838809998, interval.halfWidth(), 1e-9);
            assertEquals("0.8320 ± 0.0239", interval.format(4));
        }

        @Test
        void oneSeedHasNoInterval() {
            MeanInterval interval = SeedStatistics.meanWithConfidence(new double[] {0.9});

            assertTrue(Double.isNaN(interval.halfWidth()));
            assertEquals("0.9000 (1 seed)", interval.format(4));
        }

        @Test
        void noSeedsHaveNoMean() {
            assertEquals("n/a", SeedStatistics.meanWithConfidence(new double[0]).format(4));
        }
    }

    @Nested
    class Welch {

        @Test
        void pValueMatchesAKnownValue() {
            // scipy.stats.ttest_ind(a, b, equal_var=False).pvalue
            double p = SeedStatistics.welch(new double[] {0.871, 0.874, 0.869, 0.880},
                    new double[] {0.862, 0.858, 0.866}).getAsDouble();

            assertEquals(0.01895975318345505, p, 1e-9);
        }

        @Test
        void fewerThanTwoValuesOnEitherSideCannotBeTested() {
            assertTrue(SeedStatistics.welch(new double[] {0.8}, new double[] {0.7, 0.75}).isEmpty());
            assertTrue(SeedStatistics.welch(new double[] {0.8, 0.81}, new double[0]).isEmpty());
        }

        @Test
        void samplesWithoutSpreadCannotBeTested() {
            assertTrue(SeedStatistics.welch(new double[] {1, 1}, new double[] {1, 1, 1}).isEmpty());
        }
    }
}
