package org.normkit.core.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.normkit.autograd.check.Comparison;
import org.normkit.autograd.check.Tolerance;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * Runs conformance cases through the registry, like any user would run a norm: the case picks a provider, the
 * provider's contract builds the spec from the input shape and the case's parameters, the state is loaded through
 * the state dict with PyTorch's names, and one forward and one backward call run on each face asked for.
 *
 * <h2>Which provider</h2>
 * {@code --norm NAME} overrides; otherwise {@code batch} with an input of rank 2 or 3 goes to {@code batch_norm1d},
 * rank 4 to {@code batch_norm2d}, rank 5 to {@code batch_norm3d}; {@code instance} with rank 3, 4, 5 to
 * {@code instance_norm1d/2d/3d}; {@code layer} to {@code layer_norm} (option {@code normalized_shape=4,5}); {@code group}
 * to {@code group_norm} (option {@code groups=G}); any other {@code norm} is taken as a provider name (plugins such
 * as a plugin's {@code my_norm}). A case no provider serves is {@link CaseResult.Status#UNSERVED}, never an exception.
 *
 * <h2>Verdict</h2>
 * A case passes when every face passes: every expected tensor within the case's tolerance (the
 * {@code num_batches_tracked} count exactly), and nothing produced where the case expects null or missing where it
 * expects a value. A norm without a fused face is checked on its reference face, and the result says so.
 */
public final class ConformanceRunner {
    private final NormRegistry registry;
    private final Optional<String> normOverride;
    private final List<Face> faces;

    public ConformanceRunner(NormRegistry registry, Optional<String> normOverride, List<Face> faces) {
        this.registry = registry;
        this.normOverride = normOverride;
        this.faces = faces;
    }

    /** Runs every case, in order. */
    public ConformanceReport runAll(List<ConformanceCase> cases) {
        return new ConformanceReport(cases.stream().map(this::run).collect(Collectors.toList()));
    }

    /** The registry name a case runs on. */
    public String providerFor(ConformanceCase c) {
        if (normOverride.isPresent()) {
            return normOverride.get();
        }
        int rank = c.input().rank();
        switch (c.norm()) {
            case "batch":
                return rank <= 3 ? "batch_norm1d" : rank == 4 ? "batch_norm2d" : rank == 5 ? "batch_norm3d" : "batch_norm";
            case "instance":
                return rank >= 3 && rank <= 5 ? "instance_norm" + (rank - 2) + "d" : "instance_norm";
            case "layer":
                return "layer_norm";
            case "group":
                return "group_norm";
            default:
                return c.norm();
        }
    }

    /** Runs one case on the faces asked for; never throws for a problem of the case or of the norm. */
    public CaseResult run(ConformanceCase c) {
        String providerName = providerFor(c);
        if (!registry.contains(providerName)) {
            return new CaseResult(c.name(), c.norm(), providerName, CaseResult.Status.UNSERVED, List.of(),
                    List.of("no registered norm serves norm '" + c.norm() + "' (looked for " + providerName
                            + "); registered: " + String.join(", ", registry.names())));
        }
        NormalizationProvider provider = registry.get(providerName);
        NormSpec spec;
        boolean hasFused;
        try {
            spec = provider.contract().specFor(c.input().shape(), baseSpec(c));
            hasFused = provider.create(spec).fused().isPresent();
        } catch (RuntimeException e) {
            return new CaseResult(c.name(), c.norm(), providerName, CaseResult.Status.FAILED, List.of(),
                    List.of("cannot build the layer: " + message(e)));
        }
        List<String> notes = new ArrayList<>();
        List<Face> modes = faces;
        if (!hasFused) {
            modes = List.of(Face.REFERENCE);
            notes.add(providerName + " has no fused face: checked on the reference face only");
        }
        List<CaseResult.FaceResult> results = new ArrayList<>();
        for (Face mode : modes) {
            results.add(runFace(provider, spec, c, mode));
        }
        boolean passed = results.stream().allMatch(CaseResult.FaceResult::passed);
        return new CaseResult(c.name(), c.norm(), providerName,
                passed ? CaseResult.Status.PASSED : CaseResult.Status.FAILED, results, notes);
    }

    /** The case's parameters as a spec; the contract fills in what the input shape decides. */
    static NormSpec baseSpec(ConformanceCase c) {
        ConformanceCase.Params p = c.params();
        NormSpec spec = NormSpec.of(1).withEps(p.eps()).withAffine(p.affine())
                .withTrackRunningStats(p.trackRunningStats()).withDtype(c.dtype());
        if (p.momentumGiven()) {
            spec = p.momentum().isPresent() ? spec.withMomentum(p.momentum().getAsDouble())
                    : spec.withCumulativeAverage();
        }
        if (p.normalizedShape() != null) {
            spec = spec.withOption("normalized_shape", IntStream.of(p.normalizedShape()).mapToObj(Integer::toString)
                    .collect(Collectors.joining(",")));
        }
        if (p.numGroups().isPresent()) {
            spec = spec.withOption("groups", Integer.toString(p.numGroups().getAsInt()));
        }
        return spec.withOptions(p.options());
    }

    private CaseResult.FaceResult runFace(NormalizationProvider provider, NormSpec spec, ConformanceCase c,
                                          Face mode) {
        List<Comparison> comparisons = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try {
            Normalization layer = provider.create(spec);
            loadState(layer, c, problems);
            layer.train(c.training());
            layer.setFace(mode);
            Tensor x = c.input().copy();
            if (c.gradOutput() != null) {
                x.requiresGrad(true);
            }
            Tensor y = layer.forward(x);
            if (c.gradOutput() != null) {
                y.backward(c.gradOutput());
            }
            ConformanceCase.Expected e = c.expected();
            Tolerance tolerance = c.tolerance();
            comparisons.add(Comparison.of("output", y, e.output(), tolerance));
            compare("gradInput", x.grad(), e.gradInput(), tolerance, comparisons, problems);
            compare("gradWeight", layer.weight().map(Tensor::grad).orElse(null), e.gradWeight(), tolerance,
                    comparisons, problems);
            compare("gradBias", layer.bias().map(Tensor::grad).orElse(null), e.gradBias(), tolerance, comparisons,
                    problems);
            compareState(layer.stateDict(), e.state(), tolerance, comparisons, problems);
        } catch (RuntimeException ex) {
            problems.add(message(ex));
        }
        return new CaseResult.FaceResult(mode, comparisons, problems);
    }

    /** Sets weight, bias and the running statistics through the state dict; other entries keep their values. */
    private static void loadState(Normalization layer, ConformanceCase c, List<String> problems) {
        Map<String, Tensor> own = layer.stateDict();
        Map<String, Tensor> given = new LinkedHashMap<>();
        given.put("weight", c.weight());
        given.put("bias", c.bias());
        if (c.state() != null) {
            given.put("running_mean", c.state().runningMean());
            given.put("running_var", c.state().runningVar());
            given.put("num_batches_tracked", Tensor.scalar(c.state().numBatchesTracked(), DType.FLOAT64));
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        own.forEach((k, v) -> state.put(k, v.detach().copy()));
        given.forEach((k, v) -> {
            if (v == null) {
                if (own.containsKey(k) && (k.equals("weight") || k.equals("bias"))) {
                    problems.add("the layer has a " + k + " but the case gives none (affine=" + c.params().affine()
                            + ")");
                }
            } else if (!own.containsKey(k)) {
                problems.add("the case gives " + k + " but the layer has none (its state: " + own.keySet() + ")");
            } else {
                state.put(k, v);
            }
        });
        layer.loadStateDict(state);
    }

    private static void compare(String what, Tensor actual, Tensor expected, Tolerance tolerance,
                                List<Comparison> comparisons, List<String> problems) {
        if (expected == null) {
            if (actual != null) {
                problems.add(what + ": produced one, but the case expects none");
            }
            return;
        }
        if (actual == null) {
            problems.add(what + ": produced none, but the case expects one of shape " + expected.shape());
            return;
        }
        comparisons.add(Comparison.of(what, actual, expected, tolerance));
    }

    private static void compareState(Map<String, Tensor> state, ConformanceCase.State expected, Tolerance tolerance,
                                     List<Comparison> comparisons, List<String> problems) {
        boolean hasRunning = state.containsKey("running_mean");
        if (expected == null) {
            if (hasRunning) {
                problems.add("state: the layer keeps running statistics, but the case expects none");
            }
            return;
        }
        if (!hasRunning) {
            problems.add("state: the layer keeps no running statistics, but the case expects them");
            return;
        }
        comparisons.add(Comparison.of("runningMean", state.get("running_mean"), expected.runningMean(), tolerance));
        comparisons.add(Comparison.of("runningVar", state.get("running_var"), expected.runningVar(), tolerance));
        Tensor count = state.get("num_batches_tracked");
        if (count != null) {
            comparisons.add(Comparison.of("numBatchesTracked", count,
                    Tensor.scalar(expected.numBatchesTracked(), DType.FLOAT64), Tolerance.EXACT));
        } else {
            problems.add("state: the layer has no num_batches_tracked");
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }
}
