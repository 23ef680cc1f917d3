package org.normkit.autograd.loops;

import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.parallel.PassRates;
import org.normkit.autograd.tensor.DType;

/**
 * The units in which the loops of this package estimate their one-thread time, so that they decide whether to share
 * a call ({@link KernelThreads#forEachBlockEstimated}, {@link KernelThreads#forEachRangeEstimated}) by the same cost
 * model as the norm kernels of bn-core: an estimate of the call's one-thread time against the hand-off, instead of
 * one element count for every loop.
 *
 * <p>An underestimate keeps a borderline call on one thread, which at worst forgoes a small gain; an overestimate
 * shares a call that a second thread makes slower. So each rate is the smaller of the ones measured.
 *
 * <p>Thread safety: the rates are read once and never change.
 */
public enum LoopCost {
    /**
     * A read or a write of one element: half of normkit's one-thread copy time per element of the in-cache tensors
     * of the committed benchmark run ({@link PassRates}, key {@code element-pass.<dtype>}; about 0.04 ns for float32
     * at 1ddba9d). A loop counts its passes over each element: 2 for a map of one input, 3 for two inputs, more for
     * a loop whose arithmetic outweighs its memory traffic (the exponential).
     */
    ELEMENT_PASS(PassRates.nanosPerElement("element-pass.float32"), PassRates.nanosPerElement("element-pass.float64")),
    /**
     * One multiply-add of a matrix product through the BLAS ({@link Gemm}), as the products and convolutions count
     * their work. Not from the benchmark run, which times no product alone: one thread's CPU time of {@code
     * Gemm.sgemm}/{@code dgemm} (OpenBLAS through JNI, one thread) on the training nets' product shapes, the smaller
     * of 128x256x784 and 784x256x128, three rounds (2026-12-03 07:56 UTC, load 8–12; thread CPU time is little
     * moved by the load): 0.020 ns for float32 (about 100 GFLOP/s), 0.041 ns for float64. The small products of the
     * last layers run at 0.035 / 0.075 ns, so these rates underestimate them, as intended.
     */
    MULTIPLY_ADD(0.020, 0.041);

    private final double float32;
    private final double float64;

    LoopCost(double float32, double float64) {
        this.float32 = float32;
        this.float64 = float64;
    }

    /** Estimated one-thread time, in nanoseconds, of {@code count} of these units of work in {@code dtype}. */
    public double nanos(DType dtype, long count) {
        return (dtype == DType.FLOAT64 ? float64 : float32) * count;
    }
}
