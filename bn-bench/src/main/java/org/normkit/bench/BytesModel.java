package org.normkit.bench;

import java.util.EnumMap;
import java.util.Map;

import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.DType;

/**
 * How many tensor-sized passes over memory a call needs at the least, so a time becomes an effective bandwidth:
 * {@code GB/s = units · numel · bytesPerElement / seconds / 1e9}. One unit is one read or one write of a tensor of
 * the input's size; the per-channel or per-row statistics and γ, β are too small to count.
 *
 * <table>
 *   <caption>units per pass</caption>
 *   <tr><th>model</th><th>train_forward</th><th>eval_forward</th><th>train_forward_backward</th></tr>
 *   <tr><td>batch statistics (BatchNorm)</td><td>3</td><td>2</td><td>8</td></tr>
 *   <tr><td>per-sample statistics (LayerNorm, GroupNorm, InstanceNorm, plugins)</td><td>2</td><td>2</td><td>5</td></tr>
 *   <tr><td>copy baseline</td><td colspan="3">2</td></tr>
 * </table>
 *
 * <p>Why: BatchNorm's statistics run over the whole batch, which does not stay in cache, so training reads x once for
 * the moments and once more to normalise it, then writes y (3); its backward reads ∂L/∂y and x for the two sums and
 * again to form ∂L/∂x, which it writes (5, so 8 with the forward). LayerNorm, GroupNorm and InstanceNorm take their
 * statistics over one sample's row, which stays in cache between the two reads: read x, write y (2); backward reads
 * ∂L/∂y and x, writes ∂L/∂x (3, so 5). In evaluation every norm reads x and writes y (2).
 *
 * <p>Which model a norm gets: names starting with {@code batch_norm} take the batch model, every other norm the
 * per-sample model, unless its contract declares its own units ({@code InputContract.memoryPasses()}, keyed by
 * pass id); passes it leaves out keep the per-sample units.
 */
public final class BytesModel {
    /** The copy baseline reads N and writes N. */
    public static final int COPY_UNITS = 2;

    public static final BytesModel BATCH = new BytesModel("batch statistics", 3, 2, 8);
    public static final BytesModel PER_SAMPLE = new BytesModel("per-sample statistics", 2, 2, 5);

    private final String label;
    private final Map<BenchPass, Integer> units;

    private BytesModel(String label, Map<BenchPass, Integer> units) {
        this.label = label;
        this.units = new EnumMap<>(units);
    }

    private BytesModel(String label, int trainForward, int evalForward, int trainForwardBackward) {
        this(label, Map.of(BenchPass.TRAIN_FORWARD, trainForward, BenchPass.EVAL_FORWARD, evalForward,
                BenchPass.TRAIN_FORWARD_BACKWARD, trainForwardBackward));
    }

    /** The model for a registered norm: its provider's declaration, else by name. */
    public static BytesModel of(NormalizationProvider provider) {
        Map<BenchPass, Integer> declared = declaredBy(provider);
        if (declared == null) {
            return forName(provider.name());
        }
        Map<BenchPass, Integer> merged = new EnumMap<>(PER_SAMPLE.units);
        merged.putAll(declared);
        return new BytesModel("declared by " + provider.getClass().getName(), merged);
    }

    /** The model by name alone, for norms whose provider is not at hand (the PyTorch peer's rows). */
    public static BytesModel forName(String norm) {
        return norm.startsWith("batch_norm") ? BATCH : PER_SAMPLE;
    }

    public String label() {
        return label;
    }

    public int units(BenchPass pass) {
        return units.get(pass);
    }

    /** Effective bandwidth in GB/s (10^9 bytes) of a call that moves {@code units} tensors in {@code ms}. */
    public static double gigabytesPerSecond(int units, long numel, DType dtype, double ms) {
        return units * (double) numel * dtype.bytesPerElement() / (ms * 1e6);
    }

    private static Map<BenchPass, Integer> declaredBy(NormalizationProvider provider) {
        Map<String, Integer> map = provider.contract().memoryPasses().orElse(null);
        if (map == null) {
            return null;
        }
        Map<BenchPass, Integer> units = new EnumMap<>(BenchPass.class);
        for (Map.Entry<String, Integer> e : map.entrySet()) {
            BenchPass pass = BenchPass.parse(e.getKey());
            if (e.getValue() == null || e.getValue() < 1) {
                throw new IllegalStateException(provider.getClass().getName() + ": memoryPasses() gives "
                        + e.getKey() + "=" + e.getValue() + ": units must be positive integers");
            }
            units.put(pass, e.getValue());
        }
        return units;
    }

    @Override
    public String toString() {
        return label + " " + units;
    }
}
