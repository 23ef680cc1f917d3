package org.normkit.autograd.check;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Holds a norm's two faces against each other: two layers built from the same spec and given the same random state
 * (γ, β, running statistics, {@code num_batches_tracked} = 2), one run on its reference face and one on its fused
 * face, each doing one forward and one backward step on the same input and output gradient. Compared, with
 * {@link Tolerance#faces}: the output, the input gradient, every parameter's gradient, every buffer after the step
 * (the running statistics), and the fused face's saved per-set mean and rstd against
 * {@link Normalization#referenceStatistics} (when the norm exposes them). The statistics in use are the layers' own
 * choice ({@link Normalization#statisticsInUse}), so training compares batch statistics and evaluation with tracking
 * compares the running ones.
 *
 * <p>A norm without a fused face has nothing to compare; its report says so and passes.
 */
public final class FaceAgreement {

    private FaceAgreement() {}

    /** The outcome of one comparison run. */
    public record Report(String norm, Shape shape, DType dtype, boolean training, boolean hasFusedFace,
                         List<Comparison> comparisons, List<String> problems) {

        public boolean passed() {
            return problems.isEmpty() && comparisons.stream().allMatch(Comparison::passed);
        }

        /** One header line, then one line per comparison and per problem. */
        public String describe() {
            StringBuilder s = new StringBuilder(header()).append('\n');
            if (!hasFusedFace) {
                s.append("     ").append(norm).append(" has no fused face: nothing to compare\n");
            }
            for (Comparison c : comparisons) {
                s.append(c.passed() ? "ok   " : "FAIL ").append(c.describe()).append('\n');
            }
            for (String p : problems) {
                s.append("FAIL ").append(p).append('\n');
            }
            return s.toString();
        }

        public String header() {
            return "face agreement " + norm + " " + shape + " " + dtype + " " + (training ? "train" : "eval") + ": "
                    + (passed() ? "agree" : "DISAGREE");
        }
    }

    /** Builds the layers with the contract's spec for {@code input} in {@code dtype} and PyTorch's defaults. */
    public static Report check(NormalizationProvider provider, Shape input, DType dtype, boolean training, long seed) {
        NormSpec spec = provider.contract().specFor(input, NormSpec.of(1).withDtype(dtype));
        return check(provider.name(), () -> provider.create(spec), input, training, seed);
    }

    /** Compares the faces of layers made by {@code factory} (called twice) on an input of {@code input}'s shape. */
    public static Report check(String norm, Supplier<Normalization> factory, Shape input, boolean training, long seed) {
        Normalization reference = factory.get();
        Normalization fused = factory.get();
        DType dtype = reference.spec().dtype();
        if (fused.fused().isEmpty()) {
            return new Report(norm, input, dtype, training, false, List.of(), List.of());
        }
        Map<String, Tensor> state = randomState(reference.stateDict(), seed);
        reference.loadStateDict(state);
        fused.loadStateDict(state);
        reference.train(training);
        fused.train(training);
        reference.setFace(Face.REFERENCE);
        fused.setFace(Face.FUSED);

        Tensor x = Tensor.randn(dtype, input, seed + 1);
        Tensor gradOutput = Tensor.randn(dtype, input, seed + 2);
        Tolerance tolerance = Tolerance.faces(dtype);
        List<Comparison> comparisons = new ArrayList<>();
        List<String> problems = new ArrayList<>();

        // Saved statistics first: in evaluation the running statistics are inputs, and the step must not move them.
        Statistics use = fused.statisticsInUse();
        Optional<FusedNorm.Saved> expectedSaved = reference.referenceStatistics(x, use);
        if (expectedSaved.isPresent()) {
            FusedNorm.Saved saved = fused.fused().get().forward(x.detach(), fused.weight().map(Tensor::detach)
                    .orElse(null), fused.bias().map(Tensor::detach).orElse(null), use, Tensor.zeros(dtype, input));
            comparisons.add(Comparison.of("saved mean", saved.mean(), expectedSaved.get().mean(), tolerance));
            comparisons.add(Comparison.of("saved rstd", saved.rstd(), expectedSaved.get().rstd(), tolerance));
            if (saved.fromBatch() != expectedSaved.get().fromBatch()) {
                problems.add("saved statistics: the fused face says fromBatch=" + saved.fromBatch()
                        + ", the reference " + expectedSaved.get().fromBatch());
            }
        }

        Step r = Step.run(reference, x, gradOutput);
        Step f = Step.run(fused, x, gradOutput);
        comparisons.add(Comparison.of("output", f.output, r.output, tolerance));
        compareMaybe("gradInput", f.gradInput, r.gradInput, tolerance, comparisons, problems);
        for (String name : r.parameterGrads.keySet()) {
            compareMaybe("grad of " + name, f.parameterGrads.get(name), r.parameterGrads.get(name), tolerance,
                    comparisons, problems);
        }
        for (Map.Entry<String, Tensor> e : r.buffers.entrySet()) {
            comparisons.add(Comparison.of(e.getKey() + " after the step", f.buffers.get(e.getKey()), e.getValue(),
                    tolerance));
        }
        return new Report(norm, input, dtype, training, true, comparisons, problems);
    }

    private static void compareMaybe(String what, Tensor actual, Tensor expected, Tolerance tolerance,
                                     List<Comparison> comparisons, List<String> problems) {
        if (actual == null && expected == null) {
            return;
        }
        if (actual == null || expected == null) {
            problems.add(what + ": the " + (actual == null ? "fused" : "reference") + " face computed none, the "
                    + (actual == null ? "reference" : "fused") + " face did");
            return;
        }
        comparisons.add(Comparison.of(what, actual, expected, tolerance));
    }

    /**
     * Every state entry with random but valid values: γ in [0.5, 1.5), β and the running mean in [−0.5, 0.5), the
     * running variance in [0.5, 2), the batch counter 2 (so a cumulative average weighs the batch by 1/3); entries
     * with other names keep their initial values.
     */
    public static Map<String, Tensor> randomState(Map<String, Tensor> own, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> state = new LinkedHashMap<>();
        own.forEach((name, t) -> {
            DType d = t.dtype();
            Shape s = t.shape();
            Tensor v;
            switch (name) {
                case "weight": v = Tensor.uniform(d, s, 0.5, 1.5, random); break;
                case "bias":
                case "running_mean": v = Tensor.uniform(d, s, -0.5, 0.5, random); break;
                case "running_var": v = Tensor.uniform(d, s, 0.5, 2.0, random); break;
                case "num_batches_tracked": v = Tensor.full(d, s, 2.0); break;
                default: v = t.detach().copy();
            }
            state.put(name, v);
        });
        return state;
    }

    /** One forward and backward step of a layer, and what it left behind. */
    private static final class Step {
        Tensor output;
        Tensor gradInput;
        final Map<String, Tensor> parameterGrads = new LinkedHashMap<>();
        final Map<String, Tensor> buffers = new LinkedHashMap<>();

        static Step run(Normalization layer, Tensor x, Tensor gradOutput) {
            Step s = new Step();
            layer.zeroGrad();
            Tensor input = x.detach().copy().requiresGrad(true);
            s.output = layer.forward(input);
            s.output.backward(gradOutput);
            s.gradInput = input.grad();
            Map<Tensor, Parameter> parameters = new IdentityHashMap<>();
            for (Parameter p : layer.parameters()) {
                parameters.put(p.value(), p);
            }
            layer.stateDict().forEach((name, t) -> {
                Parameter p = parameters.get(t);
                if (p != null) {
                    s.parameterGrads.put(name, p.grad());
                } else {
                    s.buffers.put(name, t.detach().copy());
                }
            });
            return s;
        }
    }
}
