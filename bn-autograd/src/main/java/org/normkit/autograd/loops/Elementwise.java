package org.normkit.autograd.loops;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import org.normkit.autograd.loops.BroadcastLayout.Kind;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The loops behind every elementwise primitive: one map over one tensor, one map over two tensors broadcast
 * together, and the copies that movement ops need. This is the one kernel family for elementwise work.
 *
 * <p>Two tensors are walked block by block ({@link BroadcastLayout}): equal shapes are one flat block, a bias row
 * or a per-channel column is a short table of block offsets and one tight loop per block. The arithmetic of
 * training and its comparisons ({@link Op}: add, sub, mul, div, maximum, greater, equal) have a loop per op written
 * out, and {@code where} one pass ({@link #select}) that also writes the mask its backward needs (ReLU is
 * composed from greater and where, so these run over every hidden activation), so the JIT compiles each to a
 * plain (vectorisable) array loop in the operands' own precision; float32 results equal the double-then-round ones
 * because one rounding of an exact double result is the correctly rounded float. The unary functions of every
 * step ({@link UnaryOp}) have loops of their own too. Any other function goes through a generic loop that
 * computes in double and rounds to the result's dtype. (A shared loop calling many different lambdas cannot be
 * inlined by the JIT and costs a virtual call per element; that is why the hot ones are spelled out.) float32 exp
 * and sigmoid use the Vector API when the JVM has it ({@link VectorExp}), giving the same bits as the scalar
 * loops ({@link FloatExp}); so do float32 greater and where ({@link VectorLoops}), bit for bit, to spare a
 * mispredicted branch per element.
 */
public final class Elementwise {
    /**
     * Whether the JVM has the Vector API module, decided once here and not in {@link VectorExp}: that class cannot
     * even be loaded without the module.
     */
    static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private Elementwise() {}

    /** The binary ops with loops of their own. */
    public enum Op implements DoubleBinaryOperator {
        ADD {
            @Override
            public double applyAsDouble(double x, double y) {
                return x + y;
            }
        },
        SUB {
            @Override
            public double applyAsDouble(double x, double y) {
                return x - y;
            }
        },
        MUL {
            @Override
            public double applyAsDouble(double x, double y) {
                return x * y;
            }
        },
        DIV {
            @Override
            public double applyAsDouble(double x, double y) {
                return x / y;
            }
        },
        /** Math.max semantics: NaN wins, as in {@code torch.maximum}. */
        MAX {
            @Override
            public double applyAsDouble(double x, double y) {
                return Math.max(x, y);
            }
        },
        /** 1 where x &gt; y, else 0 (a NaN compares false): the mask of every ReLU. */
        GREATER {
            @Override
            public double applyAsDouble(double x, double y) {
                return x > y ? 1 : 0;
            }
        },
        /** 1 where x == y, else 0. */
        EQUAL {
            @Override
            public double applyAsDouble(double x, double y) {
                return x == y ? 1 : 0;
            }
        };

        boolean commutes() {
            return this == ADD || this == MUL || this == MAX || this == EQUAL;
        }
    }

    /** The unary functions with loops of their own: those a training step runs over every activation. */
    public enum UnaryOp implements DoubleUnaryOperator {
        NEG {
            @Override
            public double applyAsDouble(double v) {
                return -v;
            }
        },
        EXP {
            @Override
            public double applyAsDouble(double v) {
                return Math.exp(v);
            }
        },
        RECIPROCAL {
            @Override
            public double applyAsDouble(double v) {
                return 1 / v;
            }
        },
        SQUARE {
            @Override
            public double applyAsDouble(double v) {
                return v * v;
            }
        },
        SIGMOID {
            @Override
            public double applyAsDouble(double v) {
                return 1 / (1 + Math.exp(-v));
            }
        }
    }

    public static Tensor map(Tensor x, DoubleUnaryOperator f) {
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        int n = x.numel();
        if (x.dtype() == DType.FLOAT32) {
            float[] a = x.floatData();
            float[] o = out.floatData();
            if (f instanceof UnaryOp op) {
                loop(op, a, o, n);
            } else {
                for (int i = 0; i < n; i++) {
                    o[i] = (float) f.applyAsDouble(a[i]);
                }
            }
        } else {
            double[] a = x.doubleData();
            double[] o = out.doubleData();
            if (f instanceof UnaryOp op) {
                loop(op, a, o, n);
            } else {
                for (int i = 0; i < n; i++) {
                    o[i] = f.applyAsDouble(a[i]);
                }
            }
        }
        return out;
    }

    private static void loop(UnaryOp op, float[] a, float[] o, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) o[i] = -a[i]; }
            case EXP -> {
                if (VECTOR_API) {
                    VectorExp.exp(a, o, n);
                } else {
                    for (int i = 0; i < n; i++) o[i] = FloatExp.exp(a[i]);
                }
            }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) o[i] = 1 / a[i]; }
            case SQUARE -> { for (int i = 0; i < n; i++) o[i] = a[i] * a[i]; }
            case SIGMOID -> {
                if (VECTOR_API) {
                    VectorExp.sigmoid(a, o, n);
                } else {
                    for (int i = 0; i < n; i++) o[i] = FloatExp.sigmoid(a[i]);
                }
            }
            default -> throw new AssertionError(op);
        }
    }

    private static void loop(UnaryOp op, double[] a, double[] o, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) o[i] = -a[i]; }
            case EXP -> { for (int i = 0; i < n; i++) o[i] = Math.exp(a[i]); }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) o[i] = 1 / a[i]; }
            case SQUARE -> { for (int i = 0; i < n; i++) o[i] = a[i] * a[i]; }
            case SIGMOID -> { for (int i = 0; i < n; i++) o[i] = 1 / (1 + Math.exp(-a[i])); }
            default -> throw new AssertionError(op);
        }
    }

    /** {@code f(a, b)} over the broadcast of both shapes; both must already have the same dtype. */
    public static Tensor map(Tensor a, Tensor b, Shape outShape, DoubleBinaryOperator f) {
        Tensor out = Tensor.zeros(a.dtype(), outShape);
        BroadcastLayout layout = BroadcastLayout.of(a.shape(), b.shape(), outShape);
        int len = layout.blockLength;
        if (a.dtype() == DType.FLOAT32) {
            float[] x = a.floatData();
            float[] y = b.floatData();
            float[] o = out.floatData();
            for (int k = 0; k < layout.blocks; k++) {
                if (f instanceof Op op) {
                    block(op, layout.kind, x, layout.aOffsets[k], y, layout.bOffsets[k], o, k * len, len);
                } else {
                    block(f, layout.kind, x, layout.aOffsets[k], y, layout.bOffsets[k], o, k * len, len);
                }
            }
        } else {
            double[] x = a.doubleData();
            double[] y = b.doubleData();
            double[] o = out.doubleData();
            for (int k = 0; k < layout.blocks; k++) {
                if (f instanceof Op op) {
                    block(op, layout.kind, x, layout.aOffsets[k], y, layout.bOffsets[k], o, k * len, len);
                } else {
                    block(f, layout.kind, x, layout.aOffsets[k], y, layout.bOffsets[k], o, k * len, len);
                }
            }
        }
        return out;
    }

    // ***** one loop per op and operand role; commutative ops swap SV into VS *****

    private static void block(Op op, Kind kind, float[] x, int xi, float[] y, int yi, float[] o, int oi, int n) {
        if (op == Op.GREATER && VECTOR_API) {
            VectorLoops.greater(x, xi, kind == Kind.SV ? 0 : 1, y, yi, kind == Kind.VS ? 0 : 1, o, oi, n);
            return;
        }
        if (kind == Kind.SV && op.commutes()) {
            block(op, Kind.VS, y, yi, x, xi, o, oi, n);
            return;
        }
        if (kind == Kind.VV) {
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] + y[yi + i]; }
                case SUB -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] - y[yi + i]; }
                case MUL -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] * y[yi + i]; }
                case DIV -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] / y[yi + i]; }
                case MAX -> { for (int i = 0; i < n; i++) o[oi + i] = Math.max(x[xi + i], y[yi + i]); }
                case GREATER -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] > y[yi + i] ? 1 : 0; }
                case EQUAL -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] == y[yi + i] ? 1 : 0; }
                default -> throw new AssertionError(op);
            }
        } else if (kind == Kind.VS) {
            float s = y[yi];
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] + s; }
                case SUB -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] - s; }
                case MUL -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] * s; }
                case DIV -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] / s; }
                case MAX -> { for (int i = 0; i < n; i++) o[oi + i] = Math.max(x[xi + i], s); }
                case GREATER -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] > s ? 1 : 0; }
                case EQUAL -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] == s ? 1 : 0; }
                default -> throw new AssertionError(op);
            }
        } else {
            float s = x[xi];
            switch (op) {
                case SUB -> { for (int i = 0; i < n; i++) o[oi + i] = s - y[yi + i]; }
                case DIV -> { for (int i = 0; i < n; i++) o[oi + i] = s / y[yi + i]; }
                case GREATER -> { for (int i = 0; i < n; i++) o[oi + i] = s > y[yi + i] ? 1 : 0; }
                default -> throw new AssertionError(op);
            }
        }
    }

    private static void block(Op op, Kind kind, double[] x, int xi, double[] y, int yi, double[] o, int oi, int n) {
        if (kind == Kind.SV && op.commutes()) {
            block(op, Kind.VS, y, yi, x, xi, o, oi, n);
            return;
        }
        if (kind == Kind.VV) {
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] + y[yi + i]; }
                case SUB -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] - y[yi + i]; }
                case MUL -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] * y[yi + i]; }
                case DIV -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] / y[yi + i]; }
                case MAX -> { for (int i = 0; i < n; i++) o[oi + i] = Math.max(x[xi + i], y[yi + i]); }
                case GREATER -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] > y[yi + i] ? 1 : 0; }
                case EQUAL -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] == y[yi + i] ? 1 : 0; }
                default -> throw new AssertionError(op);
            }
        } else if (kind == Kind.VS) {
            double s = y[yi];
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] + s; }
                case SUB -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] - s; }
                case MUL -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] * s; }
                case DIV -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] / s; }
                case MAX -> { for (int i = 0; i < n; i++) o[oi + i] = Math.max(x[xi + i], s); }
                case GREATER -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] > s ? 1 : 0; }
                case EQUAL -> { for (int i = 0; i < n; i++) o[oi + i] = x[xi + i] == s ? 1 : 0; }
                default -> throw new AssertionError(op);
            }
        } else {
            double s = x[xi];
            switch (op) {
                case SUB -> { for (int i = 0; i < n; i++) o[oi + i] = s - y[yi + i]; }
                case DIV -> { for (int i = 0; i < n; i++) o[oi + i] = s / y[yi + i]; }
                case GREATER -> { for (int i = 0; i < n; i++) o[oi + i] = s > y[yi + i] ? 1 : 0; }
                default -> throw new AssertionError(op);
            }
        }
    }

    /**
     * {@code g · σ'} from the sigmoid's output s, σ' = s·(1 − s), in one pass: the sigmoid's backward. The same
     * operations in the same order (and precision) as the slope followed by a product, so the same bits.
     */
    public static Tensor mulSigmoidSlope(Tensor g, Tensor s) {
        Tensor out = Tensor.zeros(g.dtype(), g.shape());
        int n = g.numel();
        if (g.dtype() == DType.FLOAT32) {
            float[] gv = g.floatData();
            float[] sv = s.floatData();
            float[] o = out.floatData();
            for (int i = 0; i < n; i++) {
                o[i] = gv[i] * (sv[i] * (1 - sv[i]));
            }
        } else {
            double[] gv = g.doubleData();
            double[] sv = s.doubleData();
            double[] o = out.doubleData();
            for (int i = 0; i < n; i++) {
                o[i] = gv[i] * (sv[i] * (1 - sv[i]));
            }
        }
        return out;
    }

    /** {@code dst[to + i] += src[from + i]} for i below n, the ranges not overlapping (the adjoint of a copy). */
    static void addInto(float[] src, int from, float[] dst, int to, int n) {
        if (VECTOR_API) {
            VectorLoops.addInto(src, from, dst, to, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            dst[to + i] += src[from + i];
        }
    }

    // ***** where: one pass for the choice and the mask its backward needs *****

    /**
     * {@code where(condition, a, b)} over {@code shape}: returns {@code {picked, mask}} with picked = a where the
     * condition is non-zero, else b, and mask = 1 there, else 0, both in a's dtype (a and b share it). An operand
     * of the output's shape or of a single element is read in place; any other broadcast is expanded first.
     */
    public static Tensor[] select(Tensor condition, Tensor a, Tensor b, Shape shape) {
        Tensor c = readable(condition.dtype() == a.dtype() ? condition : condition.detach().to(a.dtype()), shape);
        Tensor x = readable(a, shape);
        Tensor y = readable(b, shape);
        int cs = stride(c, shape);
        int xs = stride(x, shape);
        int ys = stride(y, shape);
        Tensor picked = Tensor.zeros(a.dtype(), shape);
        Tensor mask = Tensor.zeros(a.dtype(), shape);
        int n = shape.numel();
        if (a.dtype() == DType.FLOAT32) {
            float[] cv = c.floatData();
            float[] xv = x.floatData();
            float[] yv = y.floatData();
            float[] o = picked.floatData();
            float[] m = mask.floatData();
            if (VECTOR_API && cs == 1) {
                VectorLoops.select(cv, xv, xs, yv, ys, o, m, n);
                return new Tensor[] {picked, mask};
            }
            for (int i = 0; i < n; i++) {
                boolean take = cv[i * cs] != 0;
                o[i] = take ? xv[i * xs] : yv[i * ys];
                m[i] = take ? 1 : 0;
            }
        } else {
            double[] cv = c.doubleData();
            double[] xv = x.doubleData();
            double[] yv = y.doubleData();
            double[] o = picked.doubleData();
            double[] m = mask.doubleData();
            for (int i = 0; i < n; i++) {
                boolean take = cv[i * cs] != 0;
                o[i] = take ? xv[i * xs] : yv[i * ys];
                m[i] = take ? 1 : 0;
            }
        }
        return new Tensor[] {picked, mask};
    }

    /** {@code t} itself when it has {@code shape} or one element, else its expansion to {@code shape}. */
    private static Tensor readable(Tensor t, Shape shape) {
        return t.shape().equals(shape) || t.numel() == 1 ? t : broadcastTo(t, shape);
    }

    /** 1 for an operand of the output's shape, 0 for a single repeated element. */
    private static int stride(Tensor t, Shape shape) {
        return t.shape().equals(shape) ? 1 : 0;
    }

    // ***** the generic loop, for functions that are not on the hot path *****

    private static void block(DoubleBinaryOperator f, Kind kind, float[] x, int xi, float[] y, int yi,
                              float[] o, int oi, int n) {
        int xs = kind == Kind.SV ? 0 : 1;
        int ys = kind == Kind.VS ? 0 : 1;
        for (int i = 0; i < n; i++) {
            o[oi + i] = (float) f.applyAsDouble(x[xi + i * xs], y[yi + i * ys]);
        }
    }

    private static void block(DoubleBinaryOperator f, Kind kind, double[] x, int xi, double[] y, int yi,
                              double[] o, int oi, int n) {
        int xs = kind == Kind.SV ? 0 : 1;
        int ys = kind == Kind.VS ? 0 : 1;
        for (int i = 0; i < n; i++) {
            o[oi + i] = f.applyAsDouble(x[xi + i * xs], y[yi + i * ys]);
        }
    }

    // ***** copies for the movement ops *****

    /** {@code x} repeated along its size-1 and missing leading dimensions up to {@code shape}: block copies and fills. */
    public static Tensor broadcastTo(Tensor x, Shape shape) {
        Tensor out = Tensor.zeros(x.dtype(), shape);
        BroadcastLayout layout = BroadcastLayout.of(x.shape(), shape, shape);
        int len = layout.blockLength;
        boolean copy = layout.kind == Kind.VV;
        if (x.dtype() == DType.FLOAT32) {
            float[] src = x.floatData();
            float[] dst = out.floatData();
            for (int k = 0; k < layout.blocks; k++) {
                if (copy) {
                    System.arraycopy(src, layout.aOffsets[k], dst, k * len, len);
                } else {
                    Arrays.fill(dst, k * len, (k + 1) * len, src[layout.aOffsets[k]]);
                }
            }
        } else {
            double[] src = x.doubleData();
            double[] dst = out.doubleData();
            for (int k = 0; k < layout.blocks; k++) {
                if (copy) {
                    System.arraycopy(src, layout.aOffsets[k], dst, k * len, len);
                } else {
                    Arrays.fill(dst, k * len, (k + 1) * len, src[layout.aOffsets[k]]);
                }
            }
        }
        return out;
    }

    /** Copies the elements at {@code offsets} (plus {@code base}) of {@code x} into a fresh tensor of {@code shape}. */
    public static Tensor gather(Tensor x, Shape shape, int[] offsets, int base) {
        Tensor out = Tensor.zeros(x.dtype(), shape);
        if (x.dtype() == DType.FLOAT32) {
            float[] src = x.floatData();
            float[] dst = out.floatData();
            for (int i = 0; i < dst.length; i++) {
                dst[i] = src[base + offsets[i]];
            }
        } else {
            double[] src = x.doubleData();
            double[] dst = out.doubleData();
            for (int i = 0; i < dst.length; i++) {
                dst[i] = src[base + offsets[i]];
            }
        }
        return out;
    }

    /** Adds every element of {@code source} into {@code target} at {@code base + offsets[i]}; same dtype. */
    public static void scatterAdd(Tensor source, Tensor target, int[] offsets, int base) {
        int n = source.numel();
        if (target.dtype() == DType.FLOAT32) {
            float[] src = source.floatData();
            float[] dst = target.floatData();
            for (int i = 0; i < n; i++) {
                dst[base + offsets[i]] += src[i];
            }
        } else {
            double[] src = source.doubleData();
            double[] dst = target.doubleData();
            for (int i = 0; i < n; i++) {
                dst[base + offsets[i]] += src[i];
            }
        }
    }
}
