package org.normkit.spark;

import java.util.concurrent.atomic.AtomicInteger;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.core.batch.BatchNorm;

/**
 * Test-only registered norms that make runs fail on the executors: {@value #FLAKY} is BatchNorm except that the
 * next {@link #FAILURES_LEFT} nets built with it throw (an executor lost in the middle of a task, as far as Spark
 * can tell), and {@link Broken} always throws.
 */
public class FlakyTestNorm implements NormalizationProvider {
    static final String FLAKY = "flaky_test_norm";
    static final String MESSAGE = "simulated executor failure";
    /** How many more nets built with {@value #FLAKY} fail; the executors share this JVM in local mode. */
    static final AtomicInteger FAILURES_LEFT = new AtomicInteger();

    // BatchNorm under its any-rank name, batch_norm: its contract, and (when not failing) its layers.
    private final BatchNorm batchNorm = new BatchNorm();

    @Override
    public String name() {
        return FLAKY;
    }

    @Override
    public String summary() {
        return "test double: BatchNorm whose next FAILURES_LEFT creations throw";
    }

    @Override
    public InputContract contract() {
        return batchNorm.contract();
    }

    @Override
    public Normalization create(NormSpec spec) {
        if (FAILURES_LEFT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException(MESSAGE);
        }
        return batchNorm.create(spec);
    }

    /** {@value #BROKEN}: every net built with it throws, so Spark's retries cannot help. */
    public static final class Broken extends FlakyTestNorm {
        static final String BROKEN = "broken_test_norm";

        @Override
        public String name() {
            return BROKEN;
        }

        @Override
        public Normalization create(NormSpec spec) {
            throw new IllegalStateException(MESSAGE + " (every attempt)");
        }
    }
}
