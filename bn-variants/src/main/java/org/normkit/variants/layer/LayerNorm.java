package org.normkit.variants.layer;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.kernel.Layout;

/**
 * Layer normalization (Ba, Kiros &amp; Hinton, "Layer Normalization", arXiv:1607.06450, 2016), as
 * {@code torch.nn.LayerNorm}: every sample is normalised over its trailing {@code normalized_shape} dimensions, with
 * the statistics of the input at hand, in training and evaluation alike.
 *
 * <h2>Formula</h2>
 * <pre>
 *   y = (x − μ) / sqrt(σ² + eps) · γ + β
 * </pre>
 * μ and σ² are the mean and the <em>biased</em> variance (divided by m) of the m = prod(normalized_shape) values that
 * share all leading indices (one statistics set per "row" of the trailing dimensions). γ and β have the shape
 * {@code normalized_shape} and are applied element by element (PyTorch's {@code elementwise_affine}); without
 * {@code affine}, γ = 1 and β = 0.
 *
 * <h2>No running statistics</h2>
 * The statistics never come from other samples, so there is nothing to average for evaluation: {@code eval()} computes
 * exactly what training computes, and {@code spec.trackRunningStats()} and {@code spec.momentum()} are ignored.
 *
 * <h2>Shapes and the {@code normalized_shape} option</h2>
 * The option {@code normalized_shape=4,5} lists one or more trailing dimensions; the input must end in them,
 * {@code (…, 4, 5)}, and numFeatures must be their product (20). Without the option, normalized_shape is
 * {@code (numFeatures)}: {@code new LayerNorm(NormSpec.of(768))} is {@code nn.LayerNorm(768)}. The output has the
 * input's shape; γ, β have normalized_shape. float32 and float64; the input must have the layer's dtype.
 * The contract ({@link ContractPreset#trailing()}) picks normalized_shape from an input shape: the last dimension for rank 1 to 3
 * ((N, D) features, (N, T, D) sequences: the transformer convention), every dimension but the batch for rank 4 and
 * more ((N, C, H, W) → (C, H, W): Ba et al.'s "all the hidden units in a layer" for conv activations).
 *
 * <h2>Edge cases</h2>
 * A row whose values are all equal has σ² = 0, so x̂ = 0 and y = β (eps keeps the division finite); so does a
 * normalized_shape of one element. One row (a single sample) is fine. An input that does not end in normalized_shape,
 * an empty input, a normalized_shape that does not parse and a numFeatures other than its product are rejected with
 * messages naming the shapes and the option.
 *
 * <h2>Fused face</h2>
 * {@code Layout.rows(M, K)}: M rows of K = prod(normalized_shape) contiguous elements, γ, β indexed by position in the
 * row; each row's moments and normalisation run while the row is in the cache.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * NormLayer ln = new LayerNorm().create(NormSpec.of(768));              // nn.LayerNorm(768): γ = 1, β = 0
 * Tensor y = ln.forward(Tensor.randn(DType.FLOAT32, Shape.of(32, 128, 768), 1));   // per token, over 768 features
 * NormLayer ln2 = new LayerNorm().create(NormSpec.of(20).withOption("normalized_shape", "4,5"));   // ([4, 5])
 * }</pre>
 */
public final class LayerNorm extends Norm {
    /** The registry name, also the prefix of every message. */
    public static final String NAME = "layer_norm";

    private static final int[] ALONG_ROW = {1};

    public LayerNorm() {
        super(NAME, "Layer normalization over the trailing normalized_shape dimensions of each sample, elementwise "
                + "affine, no running statistics (Ba, Kiros & Hinton 2016)", ContractPreset.trailing());
    }

    /** normalized_shape is well-formed and its element count is numFeatures. */
    @Override
    protected void validate(String name, NormSpec spec) {
        ContractPreset.normalizedShape(NAME, spec);
    }

    /** {@code rows(M, K)}: one row of K = prod(normalized_shape) elements per set, γ and β by position in the row. */
    @Override
    public Layout layout(NormLayer layer, Shape input) {
        int k = layer.spec().numFeatures();
        return Layout.rows(input.numel() / k, k);
    }

    /** Rows of K, mean and biased variance along the row, rsqrt, back to the input's shape, elementwise affine. */
    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
        if (!use.isBatch()) {
            throw new IllegalArgumentException(NAME + " keeps no running statistics: it always normalises with the "
                    + "statistics of its input, Statistics.batch()");
        }
        int k = layer.spec().numFeatures();
        Tensor rows = x.reshape(x.numel() / k, k);
        Tensor mean = rows.mean(ALONG_ROW, true);
        Tensor variance = rows.var(ALONG_ROW, false, true);
        Tensor y = rows.sub(mean).mul(variance.add(layer.spec().eps()).rsqrt());
        if (layer.weight().isPresent()) {
            y = y.mul(layer.weight().get().reshape(k));
        }
        if (layer.bias().isPresent()) {
            y = y.add(layer.bias().get().reshape(k));
        }
        return y.reshape(x.shape());
    }
}
