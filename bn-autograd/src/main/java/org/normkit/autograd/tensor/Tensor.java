package org.normkit.autograd.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.graph.Node;
import org.normkit.autograd.ops.Binary;
import org.normkit.autograd.ops.Composed;
import org.normkit.autograd.ops.Convolution;
import org.normkit.autograd.ops.MatMul;
import org.normkit.autograd.ops.Movement;
import org.normkit.autograd.ops.Pooling;
import org.normkit.autograd.ops.Reduce;
import org.normkit.autograd.ops.Unary;

/**
 * An n-d array of float32 or float64 values in row-major contiguous storage, with what reverse-mode autograd
 * needs: {@link #requiresGrad()}, the {@link Node} that produced it and the accumulated {@link #grad()}.
 *
 * <p>The values live in one {@link Storage} of the tensor's dtype, which does the element work here (get, set,
 * fill, copies, conversions) without a test on the dtype. Typed loops take the array itself, once per call, through
 * {@link #floatData()} or {@link #doubleData()}.
 *
 * <p>The op methods here are thin entry points; each op's forward and backward live together in the
 * {@code org.normkit.autograd.ops} classes. Storage may be shared between a tensor and its reshapes, so values are
 * treated as immutable once an op has read them; only optimizers (on leaves, under no-grad) and kernels writing a
 * fresh output mutate storage.
 */
public final class Tensor {
    private final Shape shape;
    private final Storage storage;
    private boolean requiresGrad;
    private Node creator;
    private Tensor grad;

    private Tensor(Shape shape, Storage storage) {
        this.shape = shape;
        this.storage = storage;
    }

    // ***** factories *****

    /** Wraps (does not copy) a float32 array; its length must equal the shape's element count. */
    public static Tensor wrap(float[] data, Shape shape) {
        checkLength(data.length, shape);
        return new Tensor(shape, Storage.wrap(data));
    }

    /** Wraps (does not copy) a float64 array; its length must equal the shape's element count. */
    public static Tensor wrap(double[] data, Shape shape) {
        checkLength(data.length, shape);
        return new Tensor(shape, Storage.wrap(data));
    }

    public static Tensor of(float[] data, int... shape) {
        return wrap(data.clone(), Shape.of(shape));
    }

    public static Tensor of(double[] data, int... shape) {
        return wrap(data.clone(), Shape.of(shape));
    }

    /** Values given as doubles, stored in {@code dtype} (narrowed for float32). */
    public static Tensor of(DType dtype, double[] data, Shape shape) {
        checkLength(data.length, shape);
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < data.length; i++) {
            t.set(i, data[i]);
        }
        return t;
    }

    public static Tensor scalar(double value, DType dtype) {
        return full(dtype, Shape.scalar(), value);
    }

    public static Tensor zeros(DType dtype, Shape shape) {
        return new Tensor(shape, Storage.zeros(dtype, shape.numel()));
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return zeros(dtype, Shape.of(shape));
    }

    public static Tensor ones(DType dtype, Shape shape) {
        return full(dtype, shape, 1.0);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return ones(dtype, Shape.of(shape));
    }

    public static Tensor full(DType dtype, Shape shape, double value) {
        Tensor t = zeros(dtype, shape);
        t.storage.fill(value);
        return t;
    }

    /** {@code [start, start+step, ...)} below {@code end}, as a 1-d tensor. */
    public static Tensor arange(DType dtype, double start, double end, double step) {
        if (step == 0 || Double.isNaN(start) || Double.isNaN(end) || (end - start) / step < 0) {
            throw new IllegalArgumentException("arange(" + start + ", " + end + ", " + step
                    + "): step must be non-zero and point from start towards end");
        }
        int n = (int) Math.ceil((end - start) / step);
        Tensor t = zeros(dtype, Shape.of(n));
        for (int i = 0; i < n; i++) {
            t.set(i, start + i * step);
        }
        return t;
    }

    /** Standard normal values from a seeded generator: the same seed gives the same tensor. */
    public static Tensor randn(DType dtype, Shape shape, long seed) {
        return randn(dtype, shape, new SplittableRandom(seed));
    }

    public static Tensor randn(DType dtype, Shape shape, SplittableRandom random) {
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) {
            t.set(i, Gaussian.next(random));
        }
        return t;
    }

    /** Uniform values in {@code [low, high)} from a seeded generator. */
    public static Tensor uniform(DType dtype, Shape shape, double low, double high, SplittableRandom random) {
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) {
            t.set(i, low + (high - low) * random.nextDouble());
        }
        return t;
    }

    public static Tensor uniform(DType dtype, Shape shape, double low, double high, long seed) {
        return uniform(dtype, shape, low, high, new SplittableRandom(seed));
    }

    /** A tensor of the same shape and dtype filled with zeros. */
    public Tensor zerosLike() {
        return zeros(dtype(), shape);
    }

    public Tensor onesLike() {
        return ones(dtype(), shape);
    }

    // ***** data access *****

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public int numel() {
        return shape.numel();
    }

    public int rank() {
        return shape.rank();
    }

    public int dim(int axis) {
        return shape.dim(axis);
    }

    /**
     * The float32 array itself (not a copy): the access point of the float loops. A float64 tensor fails, naming
     * both dtypes.
     */
    public float[] floatData() {
        return storage.floats("floatData()");
    }

    /**
     * The float64 array itself (not a copy): the access point of the double loops. A float32 tensor fails, naming
     * both dtypes.
     */
    public double[] doubleData() {
        return storage.doubles("doubleData()");
    }

    /** The element at flat index {@code i}, widened to double. Convenient, not for hot loops. */
    public double get(int i) {
        return storage.get(i);
    }

    /** The element at an n-d index. */
    public double at(int... index) {
        if (index.length != rank()) {
            throw new ShapeException("at(): index " + Arrays.toString(index) + " has " + index.length
                    + " entries for a tensor of shape " + shape);
        }
        int[] strides = shape.strides();
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape.dim(i)) {
                throw new ShapeException("at(): index " + Arrays.toString(index) + " is outside shape " + shape);
            }
            flat += index[i] * strides[i];
        }
        return get(flat);
    }

    /** Writes flat element {@code i} (narrowed for float32). Only for fresh tensors and optimizer updates. */
    public void set(int i, double value) {
        storage.set(i, value);
    }

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new ShapeException("item(): expected a tensor with one element, got shape " + shape
                    + "; reduce it first (sum() or mean())");
        }
        return get(0);
    }

    /** A copy of the values widened to double. */
    public double[] toDoubleArray() {
        return storage.toDoubleArray();
    }

    /** A copy of the values narrowed to float. */
    public float[] toFloatArray() {
        return storage.toFloatArray();
    }

    /** A fresh tensor with a copy of the values, detached from any graph. */
    public Tensor copy() {
        return new Tensor(shape, storage.copy());
    }

    /** Copies {@code source}'s values into this tensor's storage (same shape; dtype converted). */
    public void copyFrom(Tensor source) {
        Shape.requireSame(shape, source.shape, "copyFrom", "the source");
        storage.copyFrom(source.storage);
    }

    /** A tensor sharing this storage with another shape of the same element count (no graph). */
    public Tensor viewAs(Shape newShape) {
        checkLength(numel(), newShape);
        return new Tensor(newShape, storage);
    }

    // ***** autograd state *****

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as needing its gradient; returns this for chaining. */
    public Tensor requiresGrad(boolean value) {
        if (creator != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on the output of op '" + creator.op()
                    + "': only leaves can change it; use detach() to cut the graph");
        }
        this.requiresGrad = value;
        return this;
    }

    /** The node of the op that produced this tensor, or null for a leaf. */
    public Node creator() {
        return creator;
    }

    /** Called by ops when they record themselves in the graph. */
    public void attach(Node node) {
        this.creator = node;
        this.requiresGrad = true;
    }

    public boolean isLeaf() {
        return creator == null;
    }

    /** The gradient accumulated by backward passes, or null. */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        if (g != null) {
            Shape.requireSame(shape, g.shape, "setGrad", "the gradient");
        }
        this.grad = g;
    }

    /** The same values outside the graph: no gradient flows through the result. Shares storage. */
    public Tensor detach() {
        return new Tensor(shape, storage);
    }

    /** Backpropagates from this one-element tensor (a loss). */
    public void backward() {
        Backprop.backward(this, null, false);
    }

    /** Backpropagates with {@code gradOutput} as ∂L/∂this. */
    public void backward(Tensor gradOutput) {
        Backprop.backward(this, gradOutput, false);
    }

    public void backward(Tensor gradOutput, boolean retainGraph) {
        Backprop.backward(this, gradOutput, retainGraph);
    }

    /**
     * PyTorch's {@code backward(gradient, retain_graph, create_graph)}: with {@code createGraph} the backward pass
     * records its own ops, so the gradients it leaves in {@link #grad()} can be differentiated again (the graph is
     * then retained whatever {@code retainGraph} says). {@code gradOutput} may be null for a one-element tensor.
     */
    public void backward(Tensor gradOutput, boolean retainGraph, boolean createGraph) {
        Backprop.backward(this, gradOutput, retainGraph, createGraph);
    }

    // ***** primitives (see ops) *****

    public Tensor add(Tensor o) { return Binary.add(this, o); }
    public Tensor sub(Tensor o) { return Binary.sub(this, o); }
    public Tensor mul(Tensor o) { return Binary.mul(this, o); }
    public Tensor div(Tensor o) { return Binary.div(this, o); }
    public Tensor maximum(Tensor o) { return Binary.maximum(this, o); }
    public Tensor pow(double exponent) { return Unary.pow(this, exponent); }
    public Tensor neg() { return Unary.neg(this); }
    public Tensor exp() { return Unary.exp(this); }
    public Tensor log() { return Unary.log(this); }
    public Tensor sqrt() { return Unary.sqrt(this); }
    public Tensor erf() { return Unary.erf(this); }
    public Tensor sigmoid() { return Unary.sigmoid(this); }
    public Tensor to(DType target) { return Unary.cast(this, target); }
    public Tensor gt(Tensor o) { return Binary.greater(this, o); }
    public Tensor eq(Tensor o) { return Binary.equal(this, o); }
    public static Tensor where(Tensor condition, Tensor a, Tensor b) { return Binary.where(condition, a, b); }
    public Tensor sum(int[] axes, boolean keepDim) { return Reduce.sum(this, axes, keepDim); }
    public Tensor max(int[] axes, boolean keepDim) { return Reduce.max(this, axes, keepDim); }
    public Tensor reshape(int... dims) { return Movement.reshape(this, dims); }
    public Tensor reshape(Shape s) { return Movement.reshape(this, s); }
    public Tensor permute(int... order) { return Movement.permute(this, order); }
    public Tensor expand(Shape s) { return Movement.expand(this, s); }
    public Tensor narrow(int axis, int start, int length) { return Movement.narrow(this, axis, start, length); }
    public static Tensor concat(int axis, Tensor... parts) { return Movement.concat(axis, parts); }
    public Tensor matmul(Tensor o) { return MatMul.matmul(this, o); }
    /** {@code this·oᵀ} over the last two axes, o stored (..., N, K). */
    public Tensor matmulTransposed(Tensor o) { return MatMul.matmulTransposed(this, o); }
    /** 2-d convolution of this (N, C, H, W) with weight (O, C, kh, kw) and bias (O) or null. */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) {
        return Convolution.conv2d(this, weight, bias, stride, padding);
    }
    public Tensor maxPool2d(int kernel, int stride, int padding) { return Pooling.maxPool2d(this, kernel, stride, padding); }
    /** Average pooling with padding counted as zeros (PyTorch's default count_include_pad=True). */
    public Tensor avgPool2d(int kernel, int stride, int padding) { return Pooling.avgPool2d(this, kernel, stride, padding); }

    // ***** composed ops (no backward of their own) *****

    public Tensor add(double c) { return add(scalar(c, dtype())); }
    public Tensor sub(double c) { return sub(scalar(c, dtype())); }
    public Tensor mul(double c) { return mul(scalar(c, dtype())); }
    public Tensor div(double c) { return div(scalar(c, dtype())); }
    public Tensor sum() { return Composed.sumAll(this); }
    public Tensor mean() { return Composed.meanAll(this); }
    public Tensor mean(int[] axes, boolean keepDim) { return Composed.mean(this, axes, keepDim); }
    /** Variance over {@code axes}; {@code unbiased} applies Bessel's correction (divides by m − 1). */
    public Tensor var(int[] axes, boolean unbiased, boolean keepDim) { return Composed.var(this, axes, unbiased, keepDim); }
    public Tensor rsqrt() { return Composed.rsqrt(this); }
    public Tensor square() { return mul(this); }
    public Tensor relu() { return Composed.relu(this); }
    public Tensor tanh() { return Composed.tanh(this); }
    public Tensor gelu() { return Composed.gelu(this); }
    public Tensor softmax(int axis) { return Composed.softmax(this, axis); }
    public Tensor logSoftmax(int axis) { return Composed.logSoftmax(this, axis); }
    public Tensor flatten(int fromAxis) { return Composed.flatten(this, fromAxis); }
    public Tensor transpose(int a, int b) { return Composed.transpose(this, a, b); }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Tensor").append(shape).append(' ').append(dtype());
        if (creator != null) {
            s.append(" <- ").append(creator.op());
        } else if (requiresGrad) {
            s.append(" (leaf, requires grad)");
        }
        int show = Math.min(numel(), 8);
        s.append(" [");
        for (int i = 0; i < show; i++) {
            s.append(i == 0 ? "" : ", ").append(get(i));
        }
        return s.append(numel() > show ? ", ...]" : "]").toString();
    }

    private static void checkLength(int length, Shape shape) {
        if (length != shape.numel()) {
            throw new ShapeException("data of length " + length + " does not fill shape " + shape + " ("
                    + shape.numel() + " elements)");
        }
    }

    /** Box–Muller normals from a splittable generator, so seeded tensors are reproducible everywhere. */
    private static final class Gaussian {
        static double next(SplittableRandom random) {
            double u1 = random.nextDouble();
            double u2 = random.nextDouble();
            return Math.sqrt(-2.0 * Math.log1p(-u1)) * Math.cos(2.0 * Math.PI * u2);
        }
    }
}
