package org.normkit.bench;

import java.util.concurrent.TimeUnit;

import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training throughput of an experiment net: samples per second of full training steps (zero the gradients, forward,
 * cross-entropy, backward, optimizer step) on a batch of 128, every norm of the net on the reference or the fused
 * face. The norm suite times a norm alone; this times everything around it too (the engine's graph, the other ops,
 * the optimizer), which is what a training run feels. {@link TrainingWorkload} says what one step runs.
 *
 * <p>The score is samples per second: JMH's throughput with {@value TrainingWorkload#BATCH} operations per call,
 * one operation being one sample. The net, optimizer and batch are built once per trial; the step returns its loss.
 * Warm-up matters more here than for one norm: a step runs a few dozen different kernels, and the JIT needs seconds
 * to compile them all (hence 10 × 1 s of warm-up by default; see {@link RunSettings#trainingFull}).
 *
 * <p>Parameters: {@code net} ({@code mlp}, {@code lenet}), {@code norm} (a registered name, or {@code none} for
 * the net without norms, where the face makes no difference), {@code face} ({@code reference}, {@code fused}) and
 * {@code threads}, the kernels' thread count ({@link KernelThreads}): norms, convolutions, the linear layers'
 * products (blocks of single-threaded BLAS calls on the pool), Adam. The BLAS that
 * {@code org.normkit.autograd.loops.Gemm} found has a thread count of its own, set outside the JVM (OpenBLAS reads
 * {@code OPENBLAS_NUM_THREADS} when it loads): {@code normkit bench --training} starts one JVM per thread count
 * with it set to 1, so that one pool runs everything. Under plain JMH, set it yourself:
 * {@code OPENBLAS_NUM_THREADS=1 java --add-modules=jdk.incubator.vector -cp normkit.jar org.openjdk.jmh.Main
 * TrainingStepBenchmark -p net=mlp -p norm=batch_norm,none}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(TrainingWorkload.BATCH)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 10, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class TrainingStepBenchmark {

    @Param({"mlp", "lenet"})
    public String net;

    /** A registered name, or {@code none}. */
    @Param({"batch_norm", "none"})
    public String norm;

    @Param({"reference", "fused"})
    public String face;

    @Param({"1"})
    public int threads;

    private TrainingWorkload workload;

    @Setup(Level.Trial)
    public void setUp() {
        KernelThreads.set(threads);
        workload = TrainingWorkload.build(BenchRegistry.get(), net, norm, Face.parseConcrete(face));
    }

    @Benchmark
    public Tensor step() {
        return workload.step();
    }
}
