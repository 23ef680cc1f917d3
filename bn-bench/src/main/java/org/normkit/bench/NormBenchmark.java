package org.normkit.bench;

import java.util.concurrent.TimeUnit;

import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Times one registered norm on one face and one pass: the average time of a call, in milliseconds.
 *
 * <p>How it keeps the numbers honest. The layer, the inputs and the output are built once per trial
 * ({@code Level.Trial}), never per call, since per-invocation setup costs more than it measures at these sizes.
 * The measured method returns what it computed, so the JIT cannot discard the work. Each (norm, face, pass) runs
 * in a fork of its own in a full run: one interface with many implementations would otherwise leave a profile
 * polluted by the norms that ran before (a quick run trades that away for time, and says so in its report).
 *
 * <p>Every parameter is a string or number so the suite, or {@code -p name=v1,v2} on the JMH command line, can set
 * it. JMH needs compile-time defaults; the suite ({@link BenchRunner}) replaces {@code norm} with the registry's
 * names and {@code shape} with each norm's own benchmark shapes, one run per (norm, shape), because a blind cross
 * product would pair norms with shapes they do not take. {@code shape=default} means the norm's first benchmark
 * shape. {@code threads} is the kernels' thread count ({@link KernelThreads}), not JMH's worker threads.
 *
 * <p>The state is thread-scoped (JMH runs one worker thread here, so it is the same as benchmark scope) because in a
 * JVM that runs many benchmarks, JMH keeps a benchmark-scoped state that threw for the next trial instead of building
 * a new one; a thread-scoped state is built afresh for every benchmark, and one failing norm cannot spoil the rest.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
public class NormBenchmark {

    /** A registered name; the suite passes every one. */
    @Param({"batch_norm2d"})
    public String norm;

    /** {@code 32x64x56x56}, or {@code default} for the norm's first benchmark shape. */
    @Param({"default"})
    public String shape;

    @Param({"float32", "float64"})
    public String dtype;

    @Param({"reference", "fused"})
    public String face;

    @Param({"train_forward", "eval_forward", "train_forward_backward"})
    public String pass;

    /** {@link BenchMask}: {@code none}, or {@code padded} for the masked call (norms that take a mask only). */
    @Param({"none"})
    public String mask;

    @Param({"1", "2"})
    public int threads;

    private NormWorkload workload;

    @Setup(Level.Trial)
    public void setUp() {
        KernelThreads.set(threads);
        NormRegistry registry = BenchRegistry.get();
        workload = NormWorkload.build(registry, norm, resolveShape(registry, norm, shape), DType.parse(dtype),
                Face.parseConcrete(face), BenchPass.parse(pass), BenchMask.parse(mask));
    }

    @Benchmark
    public Object measure() {
        return workload.run();
    }

    static Shape resolveShape(NormRegistry registry, String norm, String shape) {
        if (!shape.equals("default")) {
            return Shape.parse(shape);
        }
        var shapes = registry.get(norm).contract().benchmarkShapes();
        if (shapes.isEmpty()) {
            throw new IllegalArgumentException(norm + " lists no benchmark shapes: pass -p shape=NxCx...");
        }
        return shapes.get(0);
    }
}
