package org.example.rmsnorm;

import java.util.stream.IntStream;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormBase;
import org.normkit.core.RunningStats;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;

/**
 * Root mean square normalization (Zhang &amp; Sennrich, "Root Mean Square Layer Normalization", NeurIPS 2019), as
 * {@code torch.nn.RMSNorm} of PyTorch 2.4: LayerNorm without the centering and without β.
 *
 * <h2>Formula</h2>
 * <pre>
 *   y = x / sqrt(mean(x²) + eps) · γ
 * </pre>
 * The mean square is taken over the trailing {@code normalized_shape} dimensions (M elements) of each row, divided
 * by M (a plain mean: nothing is kept for later, so there is no Bessel's correction anywhere); no mean is
 * subtracted, so the output keeps the input's signs and a non-zero mean. γ has the shape
 * {@code normalized_shape} (elementwise); without {@code affine}, γ = 1. There is no β and there are no running
 * statistics: training and evaluation compute the same thing, and {@code momentum} and {@code trackRunningStats}
 * are ignored.
 *
 * <h2>Shapes</h2>
 * Input (…, normalized_shape), output of the same shape, float32 or float64 (the layer's dtype). The option
 * {@code normalized_shape=4,5} sets the trailing dimensions; without it they are (numFeatures).
 * {@link RmsNormProvider}'s contract picks a default from the input's rank for generic tools.
 *
 * <h2>Edge cases</h2>
 * A row of zeros has mean(x²) = 0, so y = 0 and ∂L/∂x = γ·g/sqrt(eps) there (eps keeps it finite). An input whose
 * trailing dimensions are not {@code normalized_shape}, or with a dimension of size 0, is rejected with a message
 * naming both shapes. eps defaults to 1e-5 ({@link NormSpec#of}); PyTorch's RMSNorm defaults to the dtype's
 * machine epsilon, so pass {@code eps} explicitly when matching it.
 *
 * <h2>Faces</h2>
 * The reference face below is composed autograd ops. The fused face is normkit's shared kernel, inherited from
 * {@link NormBase}: this class gives it the rows layout (one row per statistics set) and {@link Centering#UNCENTERED}.
 * Not thread-safe: like every layer, one thread at a time uses it (its kernels may use several).
 *
 * <h2>Example</h2>
 * <pre>{@code
 * RmsNorm norm = new RmsNorm(NormSpec.of(768));                    // normalized_shape (768), γ = 1
 * Tensor y = norm.forward(Tensor.randn(DType.FLOAT32, Shape.of(32, 128, 768), 1));
 * RmsNorm perImage = new RmsNorm(NormSpec.of(1).withOption("normalized_shape", "64,7,7"));  // (N, 64, 7, 7)
 * }</pre>
 */
public final class RmsNorm extends NormBase {
    private final Shape normalizedShape;

    public RmsNorm(NormSpec spec) {
        super(spec, normalizedShape(spec), Affine.WEIGHT_ONLY, RunningStats.Policy.NONE);
        this.normalizedShape = normalizedShape(spec);
    }

    /** The reference face, composed autograd ops; {@code use} is always the batch's (no running statistics). */
    @Override
    public Tensor reference(Tensor x, Statistics use) {
        checkInput(x.shape());
        int[] trailing = IntStream.range(x.rank() - normalizedShape.rank(), x.rank()).toArray();
        Tensor y = x.mul(x.square().mean(trailing, true).add(spec().eps()).rsqrt());
        return weight().map(y::mul).orElse(y);
    }

    /** One statistics set per row of M = numel(normalized_shape) elements; γ indexed by position in the row. */
    @Override
    protected Layout layout(Shape input) {
        int rowLength = normalizedShape.numel();
        return Layout.rows(input.numel() / rowLength, rowLength);
    }

    /** The fused face divides by the root mean square and subtracts no mean. */
    @Override
    protected Centering centering() {
        return Centering.UNCENTERED;
    }

    @Override
    protected void checkInput(Shape input) {
        input.requireTail(normalizedShape, RmsNormProvider.NAME);
        input.requireNonEmpty(RmsNormProvider.NAME);
    }

    @Override
    protected String label() {
        return RmsNormProvider.NAME;
    }

    private static Shape normalizedShape(NormSpec spec) {
        return Shape.of(spec.intListOption("normalized_shape").orElse(new int[] {spec.numFeatures()}));
    }
}
