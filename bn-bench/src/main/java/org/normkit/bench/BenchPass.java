package org.normkit.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What one timed call does, with the names the JSON schema and the PyTorch peer use.
 *
 * <ul>
 *   <li>{@code train_forward}: y from the batch's own statistics, no graph recorded (as under {@code torch.no_grad()});</li>
 *   <li>{@code eval_forward}: y from the layer's running statistics when it keeps them, otherwise from the batch's
 *       (LayerNorm, GroupNorm, InstanceNorm compute the same in both modes);</li>
 *   <li>{@code train_forward_backward}: the training forward, then ∂L/∂x, ∂L/∂γ, ∂L/∂β for a given ∂L/∂y.</li>
 * </ul>
 */
public enum BenchPass {
    TRAIN_FORWARD("train_forward"),
    EVAL_FORWARD("eval_forward"),
    TRAIN_FORWARD_BACKWARD("train_forward_backward");

    private final String id;

    BenchPass(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static BenchPass parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (BenchPass p : values()) {
            if (p.id.equals(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown pass '" + text + "': expected one of "
                + Arrays.stream(values()).map(BenchPass::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
