package org.normkit.autograd.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

import org.normkit.autograd.tensor.DType;

/**
 * What a normalization layer is built from, the same for every norm: the constructor arguments PyTorch users know,
 * plus {@code options} for family-specific knobs ({@code groups}, {@code normalized_shape}) kept as strings, so the
 * CLI, JMH {@code -p} and experiment configs set any plugin's options the same way. Options are read through the
 * typed accessors, whose errors name the option, the value and the expected form.
 *
 * @param numFeatures       C, the channel count (or, for norms over trailing dimensions, their element count)
 * @param eps               added to the variance under the square root; must be finite and &gt; 0
 * @param momentum          weight of the new observation in the running statistics (PyTorch's convention, Keras'
 *                          momentum is 1 − this); empty selects the cumulative moving average
 * @param affine            whether the layer learns γ and β
 * @param trackRunningStats whether the layer keeps running statistics for evaluation
 * @param dtype             the dtype of the layer's parameters and buffers (PyTorch's default is float32)
 * @param options           family-specific options by name
 */
public record NormSpec(int numFeatures, double eps, OptionalDouble momentum, boolean affine,
                       boolean trackRunningStats, DType dtype, Map<String, String> options) {

    public NormSpec {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("numFeatures = " + numFeatures + " is not a valid feature count: "
                    + "it must be >= 1 (the size of the channel dimension)");
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps = " + eps + " is not allowed: eps must be a finite number > 0 "
                    + "(PyTorch's default is 1e-5)");
        }
        if (momentum.isPresent()) {
            double m = momentum.getAsDouble();
            if (!(m >= 0 && m <= 1)) {
                throw new IllegalArgumentException("momentum = " + m + " is outside [0, 1]: it is the weight of the "
                        + "new batch in the running statistics (PyTorch's default 0.1; Keras' momentum 0.99 is "
                        + "PyTorch's 0.01); leave it empty for a cumulative moving average");
            }
        }
        if (dtype == null) {
            throw new IllegalArgumentException("dtype must be float32 or float64, got null");
        }
        options = Collections.unmodifiableMap(new TreeMap<>(options));
    }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics, float32. */
    public static NormSpec of(int numFeatures) {
        return new NormSpec(numFeatures, 1e-5, OptionalDouble.of(0.1), true, true, DType.FLOAT32, Map.of());
    }

    public NormSpec withNumFeatures(int n) {
        return new NormSpec(n, eps, momentum, affine, trackRunningStats, dtype, options);
    }

    public NormSpec withEps(double e) {
        return new NormSpec(numFeatures, e, momentum, affine, trackRunningStats, dtype, options);
    }

    public NormSpec withMomentum(double m) {
        return new NormSpec(numFeatures, eps, OptionalDouble.of(m), affine, trackRunningStats, dtype, options);
    }

    /** Selects the cumulative moving average ({@code momentum=None} in PyTorch). */
    public NormSpec withCumulativeAverage() {
        return new NormSpec(numFeatures, eps, OptionalDouble.empty(), affine, trackRunningStats, dtype, options);
    }

    public NormSpec withAffine(boolean a) {
        return new NormSpec(numFeatures, eps, momentum, a, trackRunningStats, dtype, options);
    }

    public NormSpec withTrackRunningStats(boolean t) {
        return new NormSpec(numFeatures, eps, momentum, affine, t, dtype, options);
    }

    public NormSpec withDtype(DType d) {
        return new NormSpec(numFeatures, eps, momentum, affine, trackRunningStats, d, options);
    }

    public NormSpec withOption(String name, String value) {
        Map<String, String> o = new TreeMap<>(options);
        o.put(name, value);
        return new NormSpec(numFeatures, eps, momentum, affine, trackRunningStats, dtype, o);
    }

    public NormSpec withOptions(Map<String, String> more) {
        Map<String, String> o = new TreeMap<>(options);
        o.putAll(more);
        return new NormSpec(numFeatures, eps, momentum, affine, trackRunningStats, dtype, o);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** An integer option that must be given. */
    public int requiredIntOption(String name, String example) {
        String v = options.get(name);
        if (v == null) {
            throw new IllegalArgumentException("option '" + name + "' is required: set it like " + example);
        }
        return parseInt(name, v.trim(), "an integer, e.g. " + example);
    }

    /** A comma-separated list of positive integers ({@code normalized_shape=4,5}), or empty when absent. */
    public Optional<int[]> intListOption(String name) {
        String v = options.get(name);
        if (v == null) {
            return Optional.empty();
        }
        String trimmed = v.trim().replaceAll("^[(\\[]|[)\\]]$", "");
        List<Integer> values = new ArrayList<>();
        // Limit -1 keeps trailing empty parts, so "4," and "4,x" fail instead of reading as (4).
        for (String part : trimmed.split("\\s*[,x]\\s*", -1)) {
            int n = part.trim().matches("\\d{1,9}") ? Integer.parseInt(part.trim()) : 0;
            if (n < 1) {
                throw new IllegalArgumentException("option " + name + "=" + v + " does not parse: expected a "
                        + "comma-separated list of positive integers, e.g. " + name + "=4,5");
            }
            values.add(n);
        }
        return Optional.of(values.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int parseInt(String name, String value, String expected) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + "=" + value + " does not parse: expected "
                    + expected);
        }
    }

    /** The PyTorch-like constructor call, for messages and reports. */
    public String describe() {
        StringBuilder s = new StringBuilder().append(numFeatures).append(", eps=").append(eps)
                .append(", momentum=").append(momentum.isPresent() ? Double.toString(momentum.getAsDouble()) : "None")
                .append(", affine=").append(affine).append(", track_running_stats=").append(trackRunningStats)
                .append(", dtype=").append(dtype);
        options.forEach((k, v) -> s.append(", ").append(k).append('=').append(v));
        return s.toString();
    }
}
