package org.normkit.core.kernel;

import java.util.SplittableRandom;

import org.normkit.autograd.loops.VectorWarmUp;
import org.normkit.autograd.loops.VectorWarmUp.Gate;

/**
 * The {@link VectorWarmUp} gates of {@link VectorLoops}: each of its loops gives the bits of its scalar loop in
 * {@link Elements}, so {@code Elements} runs the scalar loop until the vector one is compiled. The warm-up work is
 * each loop on small arrays, vector and scalar ({@code Elements} with the gate still closed), with a scalar tail.
 *
 * <p>{@link VectorReductions} has no gate: its sums add in another order than the scalar loops', so switching
 * between them during a run would change results.
 */
final class VectorLoopGates {
    private static final int LENGTH = 259;

    private static final float[] XF = floats(1);
    private static final float[] GF = floats(2);
    private static final float[] OUTF = new float[LENGTH];
    private static final double[] XD = doubles(3);
    private static final double[] GD = doubles(4);
    private static final double[] OUTD = new double[LENGTH];
    private static final Coefficients C1 = Coefficients.of(doubles(5), true);
    private static final Coefficients C2 = Coefficients.of(doubles(6), true);
    private static final Coefficients C3 = Coefficients.of(doubles(7), true);
    private static final Coefficients C4 = Coefficients.of(doubles(8), true);

    private static final Elements.OfFloat X32 = new Elements.OfFloat(XF);
    private static final Elements.OfFloat G32 = new Elements.OfFloat(GF);
    private static final Elements.OfFloat OUT32 = new Elements.OfFloat(OUTF);
    private static final Elements.OfDouble X64 = new Elements.OfDouble(XD);
    private static final Elements.OfDouble G64 = new Elements.OfDouble(GD);
    private static final Elements.OfDouble OUT64 = new Elements.OfDouble(OUTD);

    static final Gate NORMALIZE_ACROSS_FLOAT32 = VectorWarmUp.gate("normalizeAcross float32",
            () -> VectorLoops.normalizeAcross(XF, OUTF, 0, LENGTH, C1.f, C2.f, C3.f, 0),
            () -> X32.normalizeAcross(OUT32, 0, LENGTH, C1, C2, C3, 0));
    static final Gate NORMALIZE_ROW_FLOAT32 = VectorWarmUp.gate("normalizeRow float32",
            () -> VectorLoops.normalizeRow(XF, OUTF, 0, LENGTH, 0.5f, 1.5f, C1.f, C2.f, 0),
            () -> X32.normalizeRow(OUT32, 0, LENGTH, 0.5f, 1.5f, C1, C2, 0));
    static final Gate GRAD_INPUT_ACROSS_FLOAT32 = VectorWarmUp.gate("gradInputAcross float32",
            () -> VectorLoops.gradInputAcross(XF, GF, OUTF, 0, LENGTH, C1.f, C2.f, C3.f, C4.f, 0),
            () -> X32.gradInputAcross(G32, OUT32, 0, LENGTH, C1, C2, C3, C4, 0));
    static final Gate GRAD_INPUT_ROW_FLOAT32 = VectorWarmUp.gate("gradInputRow float32",
            () -> VectorLoops.gradInputRow(XF, GF, OUTF, 0, LENGTH, 0.5f, 1.5f, C1.f, 0, 0.25f, 0.125f),
            () -> X32.gradInputRow(G32, OUT32, 0, LENGTH, 0.5f, 1.5f, C1, 0, 0.25f, 0.125f));

    static final Gate NORMALIZE_ACROSS_FLOAT64 = VectorWarmUp.gate("normalizeAcross float64",
            () -> VectorLoops.normalizeAcross(XD, OUTD, 0, LENGTH, C1.d, C2.d, C3.d, 0),
            () -> X64.normalizeAcross(OUT64, 0, LENGTH, C1, C2, C3, 0));
    static final Gate NORMALIZE_ROW_FLOAT64 = VectorWarmUp.gate("normalizeRow float64",
            () -> VectorLoops.normalizeRow(XD, OUTD, 0, LENGTH, 0.5, 1.5, C1.d, C2.d, 0),
            () -> X64.normalizeRow(OUT64, 0, LENGTH, 0.5, 1.5, C1, C2, 0));
    static final Gate GRAD_INPUT_ACROSS_FLOAT64 = VectorWarmUp.gate("gradInputAcross float64",
            () -> VectorLoops.gradInputAcross(XD, GD, OUTD, 0, LENGTH, C1.d, C2.d, C3.d, C4.d, 0),
            () -> X64.gradInputAcross(G64, OUT64, 0, LENGTH, C1, C2, C3, C4, 0));
    static final Gate GRAD_INPUT_ROW_FLOAT64 = VectorWarmUp.gate("gradInputRow float64",
            () -> VectorLoops.gradInputRow(XD, GD, OUTD, 0, LENGTH, 0.5, 1.5, C1.d, 0, 0.25, 0.125),
            () -> X64.gradInputRow(G64, OUT64, 0, LENGTH, 0.5, 1.5, C1, 0, 0.25, 0.125));

    private VectorLoopGates() {}

    private static float[] floats(long seed) {
        double[] d = doubles(seed);
        float[] f = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static double[] doubles(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            v[i] = random.nextDouble(-4, 4);
        }
        return v;
    }
}
