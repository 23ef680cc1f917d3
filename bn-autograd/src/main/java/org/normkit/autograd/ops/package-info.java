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
 * <p>Fused ops, each one node with an analytic backward and a composed reference it is tested against (in a pass
 * that builds a graph the reference is differentiated instead): {@link org.normkit.autograd.ops.Softmax} ("softmax",
 * "logSoftmax" over the last axis), {@link org.normkit.autograd.ops.LstmCell} ("lstmGateActivations",
 * "lstmCellState", "lstmHiddenState") and {@link org.normkit.autograd.ops.Attention} ("attention": the heads of
 * self-attention read in place from the packed projection) and {@link org.normkit.autograd.ops.MatMul#linear}
 * ("linear": x·wᵀ + b with the bias added in place), written where a profile of the sequence nets' training
 * step found the composed versions' many small nodes, or their copies, costly.
 *
 * <p>Higher orders: each backward is written with primitives on the op's own inputs and outputs (where a fused loop
 * serves the first order, the same derivative is composed from primitives when grad mode is on), so a backward pass
 * that builds a graph ({@code createGraph}) records it and gradients of gradients follow to any order.
 *
 * <p>The loops behind the primitives live in {@link org.normkit.autograd.loops}; the graph they record into in
 * {@link org.normkit.autograd.graph}. Dependencies point one way: {@code ops} uses {@code graph} and {@code loops},
 * neither of which knows the ops.
 */
package org.normkit.autograd.ops;
