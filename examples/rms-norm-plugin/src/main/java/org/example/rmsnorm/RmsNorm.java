package org.example.rmsnorm;

import java.util.stream.IntStream;

import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;

/**
 * Root mean square normalization (Zhang &amp; Sennrich, "Root Mean Square Layer Normalization", NeurIPS 2019), as
 * {@code torch.nn.RMSNorm} of PyTorch 2.4: LayerNorm without the centering and without β.
 *
 * <pre>
 *   y = x / sqrt(mean(x²) + eps) · γ
 * </pre>
 * The mean square is a plain mean over the trailing {@code normalized_shape} dimensions of each row (nothing is kept
 * for later, so no Bessel's correction); no mean is subtracted. γ has the shape {@code normalized_shape}; there is no
 * β and no running statistics, so training and evaluation compute the same thing.
 *
 * <p>Inputs (…, normalized_shape) of any rank ({@link ContractPreset#trailing()}: the option
 * {@code normalized_shape=4,5}, by default the last dimension for rank 1 to 3 and all but the batch from rank 4).
 * A row of zeros gives y = 0 and ∂L/∂x = γ·g/sqrt(eps). eps defaults to 1e-5; PyTorch's RMSNorm defaults to the
 * dtype's machine epsilon, so pass {@code eps} explicitly when matching it.
 *
 * <p>The reference face is composed autograd ops; the fused face is normkit's shared kernel on the rows layout,
 * uncentered, inherited from {@link Norm}.
 *
 * <pre>{@code
 * NormLayer norm = new RmsNorm().create(NormSpec.of(768));              // normalized_shape (768), γ = 1
 * Tensor y = norm.forward(Tensor.randn(DType.FLOAT32, Shape.of(32, 128, 768), 1));
 * }</pre>
 */
public final class RmsNorm extends Norm {

    public RmsNorm() {
        super("rms_norm", "RMSNorm: x / sqrt(mean(x^2) + eps) * gamma over the trailing normalized_shape; no "
                + "centering, no bias (Zhang & Sennrich 2019)", ContractPreset.trailing());
    }

    /** γ only: RMSNorm scales and never shifts. */
    @Override
    public Affine affine() {
        return Affine.WEIGHT_ONLY;
    }

    /** The fused face divides by the root mean square and subtracts no mean. */
    @Override
    public Centering centering() {
        return Centering.UNCENTERED;
    }

    /** The reference face; {@code use} is always the batch's (no running statistics). */
    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
        int[] axes = IntStream.range(x.rank() - layer.normalizedShape().rank(), x.rank()).toArray();
        Tensor y = x.mul(x.square().mean(axes, true).add(layer.spec().eps()).rsqrt());
        return layer.weight().map(y::mul).orElse(y);
    }

    /** One statistics set per row of numFeatures = numel(normalized_shape) elements; γ by position in the row. */
    @Override
    public Layout layout(NormLayer layer, Shape input) {
        int rowLength = layer.spec().numFeatures();
        return Layout.rows(input.numel() / rowLength, rowLength);
    }
}
