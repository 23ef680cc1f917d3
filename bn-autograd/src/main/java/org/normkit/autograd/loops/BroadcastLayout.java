package org.normkit.autograd.loops;

import org.normkit.autograd.tensor.Shape;

/**
 * How two operands broadcast to an output, as blocks: the output is cut into equal contiguous blocks, and inside a
 * block each operand is either contiguous (it varies with the output) or one repeated value (it is broadcast).
 * A kernel then runs one tight loop per block, so the inner loops never index through an offset table.
 *
 * <p>The block is the longest run of trailing output dimensions in which each operand keeps the same role. Equal
 * shapes give one block; {@code (M, N) + (N)} gives M blocks of N with both operands contiguous (the second at
 * offset 0 each time); {@code (N, C, H, W) + (C, 1, 1)} gives N·C blocks of H·W with the second operand repeated.
 * Only the per-block start offsets are tabulated: one entry per block, not per element.
 */
final class BroadcastLayout {
    /** The role of each operand inside a block: V = varies (contiguous), S = a single repeated value. */
    enum Kind { VV, VS, SV }

    final Kind kind;
    final int blockLength;
    final int blocks;
    final int[] aOffsets;
    final int[] bOffsets;

    private BroadcastLayout(Kind kind, int blockLength, int blocks, int[] aOffsets, int[] bOffsets) {
        this.kind = kind;
        this.blockLength = blockLength;
        this.blocks = blocks;
        this.aOffsets = aOffsets;
        this.bOffsets = bOffsets;
    }

    /** The layout of {@code a} and {@code b} broadcast to {@code out}; both must broadcast to it. */
    static BroadcastLayout of(Shape a, Shape b, Shape out) {
        int rank = out.rank();
        int[] od = out.dims();
        int[] ad = aligned(a, rank);
        int[] bd = aligned(b, rank);
        if (out.numel() == 0) {
            return new BroadcastLayout(Kind.VV, 0, 0, new int[0], new int[0]);
        }
        Kind kind = null;
        int block = 1;
        int split = rank;
        for (int d = rank - 1; d >= 0; d--) {
            if (od[d] != 1) {
                Kind k = kindOf(ad[d] != 1, bd[d] != 1);
                if (kind == null) {
                    kind = k;
                } else if (k != kind) {
                    break;
                }
                block *= od[d];
            }
            split = d;
        }
        if (kind == null) {
            // Every output dimension is 1: one element, both operands "contiguous".
            kind = Kind.VV;
        }
        int[] outerDims = java.util.Arrays.copyOf(od, split);
        Shape outer = Shape.of(outerDims);
        int[] aOffsets = Shape.stridedOffsets(outer, broadcastStrides(ad, split));
        int[] bOffsets = Shape.stridedOffsets(outer, broadcastStrides(bd, split));
        return new BroadcastLayout(kind, block, out.numel() / block, aOffsets, bOffsets);
    }

    private static Kind kindOf(boolean aVaries, boolean bVaries) {
        if (aVaries && bVaries) {
            return Kind.VV;
        }
        return aVaries ? Kind.VS : Kind.SV;
    }

    /** The dimensions of {@code s} with leading 1s up to {@code rank}. */
    private static int[] aligned(Shape s, int rank) {
        int[] d = new int[rank];
        int offset = rank - s.rank();
        for (int i = 0; i < rank; i++) {
            d[i] = i < offset ? 1 : s.dim(i - offset);
        }
        return d;
    }

    /** Row-major strides of an operand over the first {@code upTo} output dimensions; 0 where it is broadcast. */
    private static int[] broadcastStrides(int[] dims, int upTo) {
        int[] strides = new int[upTo];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            if (i < upTo) {
                strides[i] = dims[i] == 1 ? 0 : acc;
            }
            acc *= dims[i];
        }
        return strides;
    }
}
