package org.normkit.bench;

import java.util.HashMap;
import java.util.Map;

import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.bench.versus.Case;
import org.normkit.bench.versus.Contender;
import org.normkit.bench.versus.Sampler;

/**
 * normkit's side of a head-to-head: the fused face's call of {@link NormWorkload} for the case, and
 * {@link ParallelCopy} of the same tensor, each with the kernels' thread count set before every sample.
 */
public final class NormkitContender implements Contender {
    private final NormWorkload workload;
    private final BenchInputs inputs;
    private final Map<Integer, ParallelCopy> copies = new HashMap<>();
    private final Sampler sampler = new Sampler();

    private NormkitContender(NormWorkload workload, BenchInputs inputs) {
        this.workload = workload;
        this.inputs = inputs;
    }

    /**
     * The fused face of {@code c.norm()} (the masked call when the case is masked) from the registry the benchmark
     * JVMs use (plugins included).
     */
    public static NormkitContender of(Case c) {
        return of(BenchRegistry.get(), c);
    }

    static NormkitContender of(NormRegistry registry, Case c) {
        NormWorkload workload = NormWorkload.build(registry, c.norm(), c.shape(), c.dtype(), Face.FUSED,
                c.pass(), c.mask());
        return new NormkitContender(workload, BenchInputs.of(c.shape(), c.dtype()));
    }

    @Override
    public double callMs(int threads, double minMs) {
        KernelThreads.set(threads);
        return sampler.sample("call/" + threads, workload::run, minMs);
    }

    @Override
    public double copyMs(int threads, double minMs) {
        ParallelCopy copy = copies.computeIfAbsent(threads, t -> new ParallelCopy(BenchInputs.storage(inputs.x),
                BenchInputs.storage(inputs.out), inputs.x.numel(), t));
        return sampler.sample("copy/" + threads, copy::run, minMs);
    }

    @Override
    public void close() {
        copies.values().forEach(ParallelCopy::close);
        copies.clear();
    }
}
