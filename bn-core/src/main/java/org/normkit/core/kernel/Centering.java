package org.normkit.core.kernel;

/**
 * Whether a norm subtracts the mean of each set before scaling.
 *
 * <ul>
 *   <li>{@link #CENTERED}: μ = mean(x), σ² = mean((x − μ)²), x̂ = (x − μ)·rstd; BatchNorm, LayerNorm, InstanceNorm,
 *       GroupNorm.</li>
 *   <li>{@link #UNCENTERED}: μ fixed at 0, the "variance" is the mean square mean(x²), x̂ = x·rstd; norms
 *       that scale by the root mean square without centring. Its backward lacks the mean(ĝ) term.</li>
 * </ul>
 * In both, rstd = 1/sqrt(σ² + eps).
 */
public enum Centering {
    CENTERED, UNCENTERED
}
