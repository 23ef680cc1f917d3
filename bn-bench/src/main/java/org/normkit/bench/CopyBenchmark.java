package org.normkit.bench;

import java.util.concurrent.TimeUnit;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory-bandwidth yardstick: copy a tensor's worth of elements (read N, write N) into a preallocated array of
 * the same dtype, split over {@code threads} threads as PyTorch's {@code copy_} splits it. A norm cannot touch its
 * data fewer times than a copy does, so time ÷ copy time says how far a kernel is from the memory bound, and since
 * the suite times the copy in the same run, right beside the norms of that shape, the ratio holds still when the
 * machine's speed does not.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
public class CopyBenchmark {

    @Param({"32x64x56x56"})
    public String shape;

    @Param({"float32", "float64"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    private ParallelCopy copy;

    @Setup(Level.Trial)
    public void setUp() {
        BenchInputs in = BenchInputs.of(Shape.parse(shape), DType.parse(dtype));
        copy = new ParallelCopy(BenchInputs.storage(in.x), BenchInputs.storage(in.out), in.x.numel(), threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        copy.close();
    }

    @Benchmark
    public Object copy() {
        return copy.run();
    }
}
