package org.normkit.bench.versus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

/**
 * A sample is sized so that it lasts at least the asked minimum at the call's usual speed, even when the first call
 * of its kind is slow (a thread pool starting, a class loading): otherwise it would time one cold-sized call.
 */
class SamplerTest {

    /** Takes {@code slowMs} on its first call and about {@code fastMs} after. */
    private static java.util.function.Supplier<Integer> slowFirst(double slowMs, double fastMs, AtomicInteger calls) {
        return () -> {
            int n = calls.getAndIncrement();
            busy(n == 0 ? slowMs : fastMs);
            return n;
        };
    }

    private static void busy(double ms) {
        long end = System.nanoTime() + (long) (ms * 1e6);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aSlowFirstCallDoesNotShrinkTheSampleToOneCall() {
        Sampler sampler = new Sampler();
        AtomicInteger calls = new AtomicInteger();
        // The first call takes longer than the sample minimum, the others a tenth of it.
        sampler.sample("two threads", slowFirst(30.0, 1.0, calls), 10.0);
        int k = sampler.callsPerSample("two threads");
        // About 10 at 1 ms a call; fewer when the machine is busy and a call takes longer, but never the one call
        // that sizing from the first call gives.
        assertTrue(k >= 4, "a sample of at least 10 ms at about 1 ms a call needs several calls, got " + k);
        assertEquals(Sampler.CALIBRATION_CALLS + k, calls.get(), "the calibration calls, then one sample");
    }

    @Test
    void aCallSlowerThanTheMinimumIsOneCallPerSample() {
        Sampler sampler = new Sampler();
        sampler.sample("slow", () -> {
            LockSupport.parkNanos(3_000_000L);
            return 0;
        }, 1.0);
        assertEquals(1, sampler.callsPerSample("slow"));
    }

    @Test
    void theCallsPerSampleAreFixedByTheFirstSampleOfEachKeyOnly() {
        Sampler sampler = new Sampler();
        AtomicInteger calls = new AtomicInteger();
        sampler.sample("a", slowFirst(0.0, 1.0, calls), 4.0);
        int k = sampler.callsPerSample("a");
        int before = calls.get();
        sampler.sample("a", slowFirst(0.0, 0.01, calls), 4.0);
        assertEquals(k, sampler.callsPerSample("a"));
        assertEquals(before + k, calls.get(), "a later sample runs the fixed number of calls, no calibration");
        assertEquals(0, sampler.callsPerSample("b"));
    }
}
