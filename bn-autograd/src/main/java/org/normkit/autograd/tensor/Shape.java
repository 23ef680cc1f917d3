package org.normkit.autograd.tensor;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An immutable list of dimension sizes, and the one place where shapes are checked and broadcast.
 *
 * <p>Broadcasting follows NumPy/PyTorch: shapes are aligned at their last dimension; two sizes agree when they are
 * equal or one of them is 1; a missing leading dimension counts as 1. Every check here throws a
 * {@link ShapeException} whose message names the operation, the shapes and a way out.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;
    private final long numel;

    private Shape(int[] dims) {
        this.dims = dims;
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        this.numel = n;
    }

    /** A shape with these sizes; every size must be ≥ 0 and the element count must fit an array. */
    public static Shape of(int... dims) {
        if (dims.length == 0) {
            return SCALAR;
        }
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new ShapeException("negative dimension " + d + " in shape " + Arrays.toString(dims)
                        + ": every size must be >= 0");
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new ShapeException("shape " + Arrays.toString(dims) + " has more than 2^31 elements, "
                        + "more than one Java array holds: split the tensor");
            }
        }
        return new Shape(dims.clone());
    }

    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** The size of dimension {@code axis}; negative axes count from the end, as in PyTorch. */
    public int dim(int axis) {
        return dims[normalizeAxis(axis, "dim")];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements (1 for a scalar). */
    public int numel() {
        return (int) numel;
    }

    /** Row-major strides in elements: the last dimension varies fastest. */
    public int[] strides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Product of the sizes of dimensions {@code [from, to)}. */
    public int product(int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        return p;
    }

    /** Converts a possibly negative axis to {@code [0, rank)}, or explains which axes exist. */
    public int normalizeAxis(int axis, String op) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new ShapeException(op + ": axis " + axis + " is out of range for a tensor of shape " + this
                    + " (rank " + dims.length + "): use an axis in [" + (-dims.length) + ", " + (dims.length - 1) + "]");
        }
        return a;
    }

    /** The same dimensions with {@code axes} set to 1 (keepDim) or removed. */
    public Shape reduce(int[] axes, boolean keepDim) {
        boolean[] reduced = reducedMask(axes, "reduce");
        int[] out = new int[keepDim ? dims.length : dims.length - countTrue(reduced)];
        int j = 0;
        for (int i = 0; i < dims.length; i++) {
            if (!reduced[i]) {
                out[j++] = dims[i];
            } else if (keepDim) {
                out[j++] = 1;
            }
        }
        return Shape.of(out);
    }

    /** Which axes are listed in {@code axes} (normalised, no duplicates allowed). */
    public boolean[] reducedMask(int[] axes, String op) {
        boolean[] mask = new boolean[dims.length];
        for (int axis : axes) {
            int a = normalizeAxis(axis, op);
            if (mask[a]) {
                throw new ShapeException(op + ": axis " + axis + " is listed twice in " + Arrays.toString(axes));
            }
            mask[a] = true;
        }
        return mask;
    }

    /** The broadcast of two shapes, or an error naming the op, both shapes and the dimension that disagrees. */
    public static Shape broadcast(Shape a, Shape b, String op) {
        if (a.equals(b)) {
            return a;
        }
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
            int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": shapes " + a + " and " + b + " do not broadcast: dimension "
                        + i + " (from the left, after aligning the last dimensions) is " + da + " vs " + db
                        + "; sizes must be equal or one of them 1 (reshape or expand one operand)");
            }
            out[i] = da == 1 ? db : da;
        }
        return Shape.of(out);
    }

    /** True when this shape broadcasts to {@code target} without changing {@code target}. */
    public boolean broadcastsTo(Shape target) {
        if (rank() > target.rank()) {
            return false;
        }
        int offset = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            if (dims[i] != 1 && dims[i] != target.dims[i + offset]) {
                return false;
            }
        }
        return true;
    }

    /** Offsets {@code Σ index[i]·strides[i]} for every index of {@code target}, in row-major order. */
    public static int[] stridedOffsets(Shape target, int[] strides) {
        int n = target.numel();
        int[] out = new int[n];
        int rank = target.rank();
        if (rank == 0 || n == 0) {
            return out;
        }
        int[] idx = new int[rank];
        int last = rank - 1;
        int lastDim = target.dims[last];
        int lastStride = strides[last];
        int base = 0;
        int pos = 0;
        while (pos < n) {
            for (int j = 0, off = base; j < lastDim; j++, off += lastStride) {
                out[pos++] = off;
            }
            // Carry into the outer dimensions, odometer style.
            int d = last - 1;
            while (d >= 0) {
                idx[d]++;
                base += strides[d];
                if (idx[d] < target.dims[d]) {
                    break;
                }
                base -= strides[d] * idx[d];
                idx[d] = 0;
                d--;
            }
        }
        return out;
    }

    /** Throws unless both shapes are equal; for ops that do not broadcast. */
    public static void requireSame(Shape expected, Shape actual, String op, String what) {
        if (!expected.equals(actual)) {
            throw new ShapeException(op + ": " + what + " has shape " + actual + " but " + expected
                    + " was expected");
        }
    }

    /** Throws unless the rank is one of {@code ranks}, naming the accepted layouts. */
    public void requireRank(String op, String layouts, int... ranks) {
        for (int r : ranks) {
            if (r == rank()) {
                return;
            }
        }
        throw new ShapeException(op + ": expected a " + Arrays.stream(ranks).mapToObj(Integer::toString)
                .collect(Collectors.joining(" or ")) + "-d input " + layouts + ", got " + rank()
                + "-d input of shape " + this);
    }

    /**
     * Throws unless dimension {@code axis} has size {@code expected}; {@code meaning} names what that dimension is
     * ({@code "channels (numFeatures)"}), so the message says which number disagrees with which.
     */
    public void requireSize(int axis, int expected, String op, String meaning) {
        int a = normalizeAxis(axis, op);
        if (dims[a] != expected) {
            throw new ShapeException(op + ": expected " + expected + " " + meaning + " in dimension " + a
                    + ", got input of shape " + this + " (" + dims[a] + " there): build the layer for "
                    + dims[a] + " or feed it inputs with " + expected);
        }
    }

    /** Throws when some dimension has size 0: a tensor with no elements has no statistics to normalise with. */
    public void requireNonEmpty(String op) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0) {
                throw new ShapeException(op + ": got an empty input of shape " + this + " (dimension " + i
                        + " has size 0"
                        + (i == 0 ? ", an empty batch" : "") + "): every dimension must be >= 1");
            }
        }
    }

    /**
     * Throws unless this shape ends with {@code tail}, as a norm over trailing dimensions needs (PyTorch: "Given
     * normalized_shape=[4, 5], expected input with shape [*, 4, 5]"); the message names both shapes and the fix.
     */
    public void requireTail(Shape tail, String op) {
        int from = rank() - tail.rank();
        if (from < 0 || !Arrays.equals(Arrays.copyOfRange(dims, from, dims.length), tail.dims)) {
            String star = Arrays.stream(tail.dims).mapToObj(Integer::toString).reduce("(*", (a, d) -> a + ", " + d) + ")";
            throw new ShapeException(op + ": normalized_shape " + tail + " must be the tail of the input's shape: "
                    + "expected an input of shape " + star + ", got input of shape " + this
                    + "; build the layer with the input's last dimensions as normalized_shape");
        }
    }

    private static int countTrue(boolean[] mask) {
        int c = 0;
        for (boolean b : mask) {
            if (b) {
                c++;
            }
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** PyTorch-like: {@code (2, 3, 4)}; a scalar is {@code ()}. */
    @Override
    public String toString() {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    /** Compact form for file names and tables: {@code 32x64x56x56}. */
    public String toCompactString() {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    /** Parses {@code 32x64x56x56} or {@code 32,64,56,56}. */
    public static Shape parse(String text) {
        String t = text.trim().replaceAll("^[(\\[]|[)\\]]$", "");
        if (t.isEmpty()) {
            return SCALAR;
        }
        String[] parts = t.split("\\s*[x,]\\s*");
        int[] d = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                d[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new ShapeException("cannot read shape '" + text + "': '" + parts[i]
                        + "' is not an integer; write sizes like 32x64x56x56 or 32,64,56,56");
            }
        }
        return of(d);
    }
}
