/**
 * The loops behind the primitives of {@link org.normkit.autograd.ops}: plain array code with no graph and no
 * gradients, in the operands' own precision.
 *
 * <p>One kernel family per kind of work: {@link org.normkit.autograd.loops.Elementwise} (with
 * {@code BroadcastLayout}, and {@code VectorExp} and {@code VectorLoops} for the float32 loops the JIT does not
 * vectorise by itself, each held back by its gate until
 * {@link org.normkit.autograd.loops.VectorWarmUp} has seen it compiled) for elementwise work,
 * {@link org.normkit.autograd.loops.BlockReduction} for axis reductions,
 * {@link org.normkit.autograd.loops.Gemm} for matrix products, {@link org.normkit.autograd.loops.ConvolutionLoops}
 * (im2col, and {@code ShiftedConvolution} for stride-1 float32) for convolutions and
 * {@link org.normkit.autograd.loops.PoolingLoops} for pooling, {@link org.normkit.autograd.loops.RowCopy} for the
 * row gathers and scatter-adds of indexing, {@link org.normkit.autograd.loops.AttentionLoops} for attention's
 * products over heads (strided {@code Gemm} calls on the packed projection).
 *
 * <p>The float32/float64 twins of {@code Elementwise}, {@code BlockReduction}, {@code Gemm},
 * {@code ConvolutionLoops}, {@code Im2Col}, {@code RowCopy} and {@code AttentionLoops} are written once, in {@code src/main/java-templates},
 * and generated before compiling (docs/twin-templates.md): a fix to one dtype's loop cannot miss the other's.
 *
 * <p>This package knows tensors but neither the ops nor the graph: nothing here records a node.
 */
package org.normkit.autograd.loops;
