package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private static final String TASK = "batch_norm seed 1 epoch 2/10";
    private static final String EXTRA = "loss 0.4580, 24,960 samples/s";

    private static JobProgress jobAtRun(int run, int runs) {
        JobProgress job = new JobProgress();
        job.plan(runs, 1000);
        for (int i = 0; i < run; i++) {
            job.startRun();
        }
        job.stepDone();
        return job;
    }

    @Nested
    class Layout {

        @Test
        void showsTheRunOfTheJobTheEpochsStepsAndBothTimesLeft() {
            String line = Progress.render(TASK, 234, 469, 2340, EXTRA, 200, jobAtRun(3, 8));

            assertTrue(line.startsWith("run 3/8 batch_norm seed 1 epoch 2/10 ["), line);
            assertTrue(line.contains("] 234/469, ETA 0:02, all "), line);
            assertTrue(line.endsWith(", loss 0.4580, 24,960 samples/s"), line);
        }

        @Test
        void atEightyColumnsTheLineIsShorterThanTheTerminalSoItNeverWraps() {
            for (int width : new int[] {80, 60, 40, 20}) {
                String line = Progress.render(TASK, 234, 469, 2340, EXTRA, width, jobAtRun(12, 120));

                assertTrue(line.length() < width, width + ": " + line.length() + " " + line);
            }
        }

        @Test
        void speedAndThenLossMakeWayBeforeTheBar() {
            String hundred = Progress.render(TASK, 234, 469, 2340, EXTRA, 100, jobAtRun(3, 8));
            String eighty = Progress.render(TASK, 234, 469, 2340, EXTRA, 80, jobAtRun(3, 8));

            assertTrue(hundred.contains("[") && hundred.contains("loss 0.4580") && !hundred.contains("samples/s"),
                    hundred);
            assertTrue(eighty.contains("[=") && !eighty.contains("loss"), eighty);
        }

        @Test
        void withoutAJobTheLineIsTheEpochsAlone() {
            String line = Progress.render("none seed 0 epoch 1/3", 0, 10, 0, "", 60, new JobProgress());

            assertTrue(line.startsWith("none seed 0 epoch 1/3 [>"), line);
            assertTrue(line.endsWith("] 0/10, ETA ?"), line);
        }
    }

    @Nested
    class Clock {

        @Test
        void minutesAndSecondsUnderAnHourHoursFromThereOn() {
            assertEquals("0:05", Progress.clock(5));
            assertEquals("4:05", Progress.clock(245));
            assertEquals("1:02:03", Progress.clock(3723));
        }
    }
}
