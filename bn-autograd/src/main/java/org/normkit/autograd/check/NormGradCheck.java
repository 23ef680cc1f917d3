package org.normkit.autograd.check;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * {@link GradCheck} for a norm's reference face with respect to its input <em>and</em> its parameters: the
 * parameters are read by the layer itself, so they are perturbed in place rather than passed as arguments. The
 * layer must be float64; it normalises with the statistics of its current mode ({@link
 * Normalization#statisticsInUse}): the batch's in training, the running ones in evaluation with tracking. The
 * reference face touches no state, so the check leaves the layer as it found it (its gradients cleared).
 */
public final class NormGradCheck {
    private static final double STEP = 1e-6;

    private NormGradCheck() {}

    /**
     * Central differences against backprop for x and every parameter, with {@link Tolerance#GRADCHECK}. For a layer
     * whose backward is approximate in its current mode ({@link Normalization#approximateBackward}), the analytic
     * side is the part of its backward that depends on the output gradient (the backward of the projection minus the
     * backward of zero), and the numeric side differentiates the forward with the batch's statistics held at their
     * values ({@link Normalization#referenceStatistics}): the derivative the approximation keeps. The layer's state
     * (which such a backward may update) is restored afterwards.
     */
    public static GradCheck.Report check(Normalization layer, Tensor x, long seed) {
        if (layer.spec().dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException("gradcheck needs a float64 layer, got " + layer.spec().dtype()
                    + ": build it with NormSpec.withDtype(DType.FLOAT64)");
        }
        Statistics use = layer.statisticsInUse();
        boolean approximate = layer.approximateBackward().isPresent();
        Statistics numericUse = approximate && use.isBatch() ? heldConstant(layer, x, use) : use;
        Tensor input = x.detach().to(DType.FLOAT64).copy().requiresGrad(true);
        Map<String, Tensor> points = new LinkedHashMap<>();
        points.put("input", input);
        Map<Tensor, Parameter> parameters = new IdentityHashMap<>();
        for (Parameter p : layer.parameters()) {
            parameters.put(p.value(), p);
        }
        layer.stateDict().forEach((name, t) -> {
            if (parameters.containsKey(t)) {
                points.put(name, t);
            }
        });
        Map<String, Tensor> state = new LinkedHashMap<>();
        layer.stateDict().forEach((name, t) -> state.put(name, t.copy()));

        Tensor projection;
        Map<String, Tensor> analytic;
        try {
            layer.zeroGrad();
            Tensor out = layer.reference(input, use);
            projection = Tensor.randn(DType.FLOAT64, out.shape(), seed);
            analytic = backward(layer, out, projection, points);
            if (approximate) {
                layer.loadStateDict(state);
                Map<String, Tensor> ofZero = backward(layer, layer.reference(input, use), projection.zerosLike(),
                        points);
                analytic.replaceAll((name, g) -> g.sub(ofZero.get(name)));
            }
        } finally {
            layer.loadStateDict(state);
            layer.zeroGrad();
        }

        List<Comparison> comparisons = new ArrayList<>();
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : points.entrySet()) {
                Tensor point = e.getValue();
                Tensor numeric = point.zerosLike();
                double[] v = point.doubleData();
                for (int i = 0; i < v.length; i++) {
                    double saved = v[i];
                    v[i] = saved + STEP;
                    double plus = layer.reference(input, numericUse).mul(projection).sum().item();
                    v[i] = saved - STEP;
                    double minus = layer.reference(input, numericUse).mul(projection).sum().item();
                    v[i] = saved;
                    numeric.set(i, (plus - minus) / (2 * STEP));
                }
                comparisons.add(Comparison.of("gradient of " + e.getKey() + " " + point.shape()
                        + (approximate ? " (the part that depends on the output gradient, statistics held)" : ""),
                        analytic.get(e.getKey()), numeric, Tolerance.GRADCHECK));
            }
        }
        return new GradCheck.Report(comparisons);
    }

    /** One backward of {@code out} weighted by {@code gradOutput}: the gradient of every point (zeros for none). */
    private static Map<String, Tensor> backward(Normalization layer, Tensor out, Tensor gradOutput,
                                                Map<String, Tensor> points) {
        layer.zeroGrad();
        points.get("input").setGrad(null);
        out.mul(gradOutput).sum().backward();
        Map<String, Tensor> grads = new LinkedHashMap<>();
        points.forEach((name, t) -> grads.put(name, t.grad() == null ? t.zerosLike() : t.grad().copy()));
        layer.zeroGrad();
        points.get("input").setGrad(null);
        return grads;
    }

    /** The batch's statistics of {@code x} as constants: what an approximate backward holds fixed. */
    private static Statistics heldConstant(Normalization layer, Tensor x, Statistics use) {
        FusedNorm.Saved saved = layer.referenceStatistics(x.detach().to(DType.FLOAT64), use).orElseThrow(() ->
                new IllegalArgumentException("the backward of " + layer + " is approximate ("
                        + layer.approximateBackward().orElse("") + "), but the layer does not expose its batch "
                        + "statistics (Normalization.referenceStatistics) to hold them constant: override it"));
        double[] rstd = saved.rstd().toDoubleArray();
        double[] variance = new double[rstd.length];
        for (int s = 0; s < rstd.length; s++) {
            variance[s] = 1.0 / (rstd[s] * rstd[s]) - layer.spec().eps();
        }
        return Statistics.running(saved.mean(), Tensor.wrap(variance, Shape.of(variance.length)));
    }

    /**
     * The second-order check ({@link GradCheck#checkSecondOrder}) of one face with respect to x, every parameter and
     * the output gradient: REFERENCE differentiates the composed ops; FUSED runs {@link Normalization#forward} on the
     * fused face, whose node hands a pass that builds a graph on as {@link Normalization#fusedSecondOrder} says. The
     * layer's state (running statistics a training forward updates, the execution mode) is restored afterwards.
     */
    public static GradCheck.Report checkSecondOrder(Normalization layer, Tensor x, long seed, Face face) {
        if (layer.spec().dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException("gradcheck needs a float64 layer, got " + layer.spec().dtype()
                    + ": build it with NormSpec.withDtype(DType.FLOAT64)");
        }
        if (face == Face.FUSED && layer.fused().isEmpty()) {
            throw new IllegalArgumentException("the second-order check of the fused face needs a norm with one; "
                    + "check the reference face instead");
        }
        Statistics use = layer.statisticsInUse();
        Tensor input = x.detach().to(DType.FLOAT64).copy().requiresGrad(true);
        List<String> names = new ArrayList<>(List.of("input " + input.shape()));
        List<Tensor> points = new ArrayList<>(List.of(input));
        Map<Tensor, Parameter> parameters = new IdentityHashMap<>();
        for (Parameter p : layer.parameters()) {
            parameters.put(p.value(), p);
        }
        layer.stateDict().forEach((name, t) -> {
            if (parameters.containsKey(t)) {
                names.add(name + " " + t.shape());
                points.add(t);
            }
        });
        Map<String, Tensor> state = new LinkedHashMap<>();
        layer.stateDict().forEach((name, t) -> state.put(name, t.copy()));
        Face mode = layer.face();
        layer.zeroGrad();
        try {
            if (face == Face.FUSED) {
                layer.setFace(Face.FUSED);
                return GradCheck.secondOrder(() -> layer.forward(input), names, points, seed);
            }
            return GradCheck.secondOrder(() -> layer.reference(input, use), names, points, seed);
        } finally {
            layer.setFace(mode);
            layer.loadStateDict(state);
            layer.zeroGrad();
        }
    }
}
