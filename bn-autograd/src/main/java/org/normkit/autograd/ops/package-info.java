/**
 * The ops: 27 primitives, each recording one node with its forward and backward side by side, and everything else
 * composed from them.
 *
 * <p>The primitives, by family (the node label in quotes):
 * <ul>
 *   <li>{@link org.normkit.autograd.ops.Unary}: "neg", "exp", "log", "sqrt", "pow" (constant exponent), "erf",
 *       "sigmoid", "cast"</li>
 *   <li>{@link org.normkit.autograd.ops.Binary}, broadcasting: "add", "sub", "mul", "div", "maximum", "where"</li>
 *   <li>{@link org.normkit.autograd.ops.Reduce}: "sum", "max"</li>
 *   <li>{@link org.normkit.autograd.ops.Movement}: "reshape", "permute", "expand", "narrow", "concat"</li>
 *   <li>{@link org.normkit.autograd.ops.MatMul}: "matmul" (a·b, and a·bᵀ for linear layers)</li>
 *   <li>{@link org.normkit.autograd.ops.Convolution}: "conv2d"</li>
 *   <li>{@link org.normkit.autograd.ops.Pooling}: "maxPool2d", "avgPool2d"</li>
 *   <li>{@link org.normkit.autograd.ops.Indexing}: "gatherRows" (embedding lookup), "scatterRows" (its backward)</li>
 * </ul>
 * Comparisons ({@code greater}, {@code equal}) have no gradient and record nothing.
 *
 * <p>***** non first class ops *****: {@link org.normkit.autograd.ops.Composed} (mean, var, rsqrt, relu, tanh,
 * gelu, softmax, logSoftmax, flatten, transpose, and a composed sigmoid as the primitive's reference),
 * {@link org.normkit.autograd.ops.Masks} (causal and padding masks for attention) and
 * {@link org.normkit.autograd.ops.Losses} have no backward of their own.
 *
 * <p>The loops live in one kernel family: {@code Elementwise} (with {@code BroadcastLayout}, and {@code VectorExp}
 * and {@code VectorLoops} for the float32 loops the JIT does not vectorise by itself) for elementwise work, the block
 * reductions of {@code Reduce}, {@link org.normkit.autograd.ops.Gemm} for matrix products, and {@code Im2Col} and
 * {@code ShiftedConvolution} (stride-1 float32) for convolutions.
 */
package org.normkit.autograd.ops;
