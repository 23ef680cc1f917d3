package org.normkit.experiments.train;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * The JVM's running totals of JIT compilation and garbage collection, read before and after an epoch so that its
 * record can say how much of the epoch's excess over a later one the JVM spent compiling or collecting.
 *
 * <p>Both come from the platform MXBeans: {@link CompilationMXBean#getTotalCompilationTime()} (the compiler threads'
 * accumulated time, every compiler thread summed, so it can exceed the wall time on a machine with cores to spare)
 * and the sum of {@link GarbageCollectorMXBean#getCollectionTime()} over the collectors. They are JVM-wide: runs
 * training side by side in one JVM share them. Reading them costs a few microseconds, so every epoch records them. A
 * JVM that does not monitor compilation time gives NaN for it.
 *
 * @param compilationMs total JIT compilation milliseconds so far, or -1 when not available
 * @param gcMs          total collection milliseconds so far, over every collector that reports it
 */
public record JvmSeconds(long compilationMs, long gcMs) {

    /** The totals now. */
    public static JvmSeconds now() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long compilation = jit != null && jit.isCompilationTimeMonitoringSupported()
                ? jit.getTotalCompilationTime() : -1;
        long gc = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            long t = collector.getCollectionTime();
            if (t > 0) {
                gc += t;
            }
        }
        return new JvmSeconds(compilation, gc);
    }

    /** JIT seconds from {@code start} to this reading; NaN when either reading lacks it. */
    public double jitSecondsSince(JvmSeconds start) {
        return compilationMs < 0 || start.compilationMs < 0 ? Double.NaN
                : (compilationMs - start.compilationMs) / 1000.0;
    }

    /** Garbage-collection seconds from {@code start} to this reading. */
    public double gcSecondsSince(JvmSeconds start) {
        return (gcMs - start.gcMs) / 1000.0;
    }
}
