package org.normkit.variants.dyt;

import java.util.List;
import java.util.Optional;

import org.normkit.autograd.graph.Node;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Dynamic Tanh, DyT (Zhu, Chen, He, LeCun &amp; Liu, "Transformers without Normalization", CVPR 2025): a drop-in for
 * LayerNorm that computes no statistics at all.
 *
 * <h2>Formula</h2>
 * <pre>
 *   y = γ · tanh(α·x) + β
 * </pre>
 * α is one learnable scalar (state-dict name {@code alpha}, initialised to the option {@code alpha_init}, default
 * 0.5 as in the paper); γ ({@code weight}, ones) and β ({@code bias}, zeros) are per feature along the last axis,
 * channels-last as in a Transformer. Nothing depends on other samples or positions: training and evaluation compute
 * the same thing, padding cannot leak into anything, and there are no running statistics.
 *
 * <h2>Shapes</h2>
 * (N, C) or (N, T, C) with C = numFeatures; float32 and float64.
 *
 * <h2>Faces</h2>
 * The reference face composes tanh from primitives. The fused face is one graph node: one pass computes t = tanh(αx)
 * and y, and its backward is dx = g·γ·α·(1 − t²), dα = Σ g·γ·x·(1 − t²), dγ = Σ g·t, dβ = Σ g. The SPI's
 * {@link FusedNorm} (per-set mean and rstd) does not describe a norm without statistics, so {@link #fused()} is empty
 * and the two faces are held together by DyT's own tests: generic tools (conformance, verify, bench) see the
 * reference face only.
 *
 * <h2>Why not a {@code Norm}</h2>
 * A {@link org.normkit.core.Norm}'s layer, {@link org.normkit.core.NormLayer}, holds exactly γ, β and running
 * statistics; DyT's learnable α is a third parameter it has no place for, and a norm without statistics has no
 * {@code Layout} for the shared kernel. So DyT stays a {@link Normalization} of its own, registered by
 * {@link DynamicTanhProvider}.
 *
 * <pre>{@code
 * DynamicTanh dyt = new DynamicTanh(NormSpec.of(64));
 * Tensor y = dyt.forward(tokens);                 // (B, T, 64)
 * }</pre>
 */
public final class DynamicTanh extends Normalization {
    public static final String NAME = "dyt";
    /** The option setting α's initial value. */
    public static final String ALPHA_INIT = "alpha_init";
    static final double DEFAULT_ALPHA = 0.5;

    private final NormSpec spec;
    private final Parameter alpha;
    private final Parameter weight;
    private final Parameter bias;
    private Face mode = Face.AUTO;

    public DynamicTanh(NormSpec spec) {
        this.spec = spec;
        double init = alphaInit(spec);
        this.alpha = registerParameter("alpha", Tensor.full(spec.dtype(), Shape.of(1), init));
        this.weight = spec.affine() ? registerParameter("weight", Tensor.ones(spec.dtype(), Shape.of(spec.numFeatures())))
                : null;
        this.bias = spec.affine() ? registerParameter("bias", Tensor.zeros(spec.dtype(), Shape.of(spec.numFeatures())))
                : null;
    }

    private static double alphaInit(NormSpec spec) {
        String v = spec.option(ALPHA_INIT).orElse(Double.toString(DEFAULT_ALPHA));
        try {
            double a = Double.parseDouble(v);
            if (Double.isFinite(a)) {
                return a;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(NAME + ": option " + ALPHA_INIT + "=" + v + " is not a finite number; "
                + "the paper uses 0.5 (e.g. " + ALPHA_INIT + "=0.5)");
    }

    @Override
    public NormSpec spec() {
        return spec;
    }

    @Override
    public Tensor forward(Tensor x) {
        check(x);
        Face effective = mode != Face.AUTO ? mode : Face.scoped();
        return effective == Face.REFERENCE ? reference(x, Statistics.batch()) : fusedForward(x);
    }

    /** γ·tanh(α·x) + β from primitives; {@code use} is ignored (there are no statistics). */
    @Override
    public Tensor reference(Tensor x, Statistics use) {
        check(x);
        Tensor y = x.mul(alpha.value()).tanh();
        if (weight != null) {
            y = y.mul(weight.value());
        }
        return bias == null ? y : y.add(bias.value());
    }

    /** One node: the forward in one pass, the analytic backward of x, α, γ, β. */
    Tensor fusedForward(Tensor x) {
        int c = spec.numFeatures();
        double a = alpha.value().get(0);
        double[] xs = x.detach().toDoubleArray();
        double[] g = weight == null ? null : weight.value().toDoubleArray();
        double[] b = bias == null ? null : bias.value().toDoubleArray();
        double[] t = new double[xs.length];
        double[] y = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            t[i] = Math.tanh(a * xs[i]);
            int k = i % c;
            y[i] = (g == null ? t[i] : g[k] * t[i]) + (b == null ? 0 : b[k]);
        }
        Tensor out = Tensor.of(x.dtype(), y, x.shape());
        List<Tensor> inputs = new java.util.ArrayList<>(List.of(x, alpha.value()));
        if (weight != null) {
            inputs.add(weight.value());
        }
        if (bias != null) {
            inputs.add(bias.value());
        }
        return Node.record(out, NAME + " (fused)", (gradOutput, needs) -> {
            double[] go = gradOutput.toDoubleArray();
            double[] dx = new double[xs.length];
            double dAlpha = 0;
            double[] dGamma = new double[c];
            double[] dBeta = new double[c];
            for (int i = 0; i < xs.length; i++) {
                int k = i % c;
                double scaled = g == null ? go[i] : go[i] * g[k];
                double slope = scaled * (1 - t[i] * t[i]);
                dx[i] = slope * a;
                dAlpha += slope * xs[i];
                dGamma[k] += go[i] * t[i];
                dBeta[k] += go[i];
            }
            DType d = x.dtype();
            Tensor[] grads = new Tensor[inputs.size()];
            grads[0] = needs[0] ? Tensor.of(d, dx, x.shape()) : null;
            grads[1] = needs[1] ? Tensor.of(d, new double[] {dAlpha}, Shape.of(1)) : null;
            int next = 2;
            if (weight != null) {
                grads[next] = needs[next] ? Tensor.of(d, dGamma, Shape.of(c)) : null;
                next++;
            }
            if (bias != null) {
                grads[next] = needs[next] ? Tensor.of(d, dBeta, Shape.of(c)) : null;
            }
            return grads;
        }, inputs.toArray(new Tensor[0]));
    }

    private void check(Tensor x) {
        DynamicTanhProvider.CONTRACT.requireAccepted(x.shape(), spec.numFeatures());
        if (x.dtype() != spec.dtype()) {
            throw new IllegalArgumentException(NAME + ": the input is " + x.dtype() + " but the layer is "
                    + spec.dtype() + ": convert the input with x.to(DType." + spec.dtype().name() + ")");
        }
    }

    /** Empty: see the class comment; the fused face runs through {@link #forward}. */
    @Override
    public Optional<FusedNorm> fused() {
        return Optional.empty();
    }

    @Override
    public void setFace(Face mode) {
        this.mode = mode;
    }

    @Override
    public Face face() {
        return mode;
    }

    public Parameter alpha() {
        return alpha;
    }

    @Override
    public Optional<Tensor> weight() {
        return Optional.ofNullable(weight).map(Parameter::value);
    }

    @Override
    public Optional<Tensor> bias() {
        return Optional.ofNullable(bias).map(Parameter::value);
    }

    @Override
    public String toString() {
        return "DynamicTanh(" + spec.numFeatures() + ", alpha_init=" + alphaInit(spec) + ")";
    }
}
