package org.example.writing;

import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.kernel.Layout;

/**
 * LayerNorm over the trailing normalized_shape of each sample: y = (x − μ) / sqrt(σ² + eps) · γ + β, with μ and the
 * biased σ² of the row; no running statistics (Ba, Kiros &amp; Hinton 2016).
 */
public final class CenteredRowNorm extends Norm {

    public CenteredRowNorm() {
        super("centered_row_norm", "LayerNorm written from docs/writing-a-norm.md (Ba, Kiros & Hinton 2016)",
                ContractPreset.trailing());
    }

    /** Rows of K = numel(normalized_shape): mean and biased variance along the row, then γ and β by position. */
    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
        int k = layer.spec().numFeatures();
        Tensor rows = x.reshape(x.numel() / k, k);
        int[] alongRow = {1};
        Tensor mean = rows.mean(alongRow, true);
        Tensor variance = rows.var(alongRow, false, true);
        Tensor y = rows.sub(mean).mul(variance.add(layer.spec().eps()).rsqrt());
        if (layer.weight().isPresent()) {
            y = y.mul(layer.weight().get().reshape(k)).add(layer.bias().get().reshape(k));
        }
        return y.reshape(x.shape());
    }

    /** The fused face is normkit's kernel on this layout: one statistics set per row, γ and β by position. */
    @Override
    public Layout layout(NormLayer layer, Shape input) {
        int k = layer.spec().numFeatures();
        return Layout.rows(input.numel() / k, k);
    }
}
