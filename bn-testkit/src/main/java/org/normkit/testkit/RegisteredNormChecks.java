package org.normkit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.check.Comparison;
import org.normkit.autograd.check.FaceAgreement;
import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.check.NormGradCheck;
import org.normkit.autograd.check.Tolerance;
import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedSecondOrder;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;

/**
 * The checks every registered norm inherits, parameterised over the registry's names and each norm's
 * {@link InputContract#exampleShapes()}: gradcheck of the reference face in float64 (training with batch statistics;
 * evaluation, with the running statistics where the norm tracks them), agreement of the reference and fused faces
 * ({@link FaceAgreement}: output, saved statistics, input and parameter gradients, running statistics after one step)
 * in both modes and both dtypes, second-order gradchecks (finite differences of first-order gradients) of the
 * reference face and of the fused face as {@link Normalization#fusedSecondOrder} states it, every combination of the
 * three switches on both faces for norms with running statistics, and the contract's own consistency. A norm whose
 * backward is approximate in training ({@link Normalization#approximateBackward}) is gradient-checked there on the
 * part of its backward that depends on the output gradient, with its batch statistics held constant, and skips the
 * second-order checks in that mode. A shape a norm refuses in training (one value
 * per channel) is checked in evaluation only. A norm that takes a mask of valid positions
 * ({@link Normalization#takesMask()}) is also gradient-checked with one on both faces, its faces are compared with it
 * in both dtypes, and the padding's values must change neither its output nor its running statistics.
 *
 * <p>A module or plugin gets them all with one line in its test sources (the {@code org.normkit:bn-testkit} artifact as a
 * test dependency):
 * <pre>{@code
 * class RegisteredNormsTest extends RegisteredNormChecks {}
 * }</pre>
 * and may restrict them to its own norms by overriding {@link #normNames()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RegisteredNormChecks {
    private final NormRegistry registry = NormRegistry.loadDefault();

    protected final NormRegistry registry() {
        return registry;
    }

    /** The norms to check: every registered one unless overridden. */
    protected List<String> normNames() {
        return registry.names();
    }

    Stream<Arguments> normsAndShapes() {
        List<Arguments> all = new ArrayList<>();
        for (String name : normNames()) {
            for (Shape shape : registry.get(name).contract().exampleShapes()) {
                all.add(Arguments.of(name, shape));
            }
        }
        return all.stream();
    }

    Stream<Arguments> normsShapesAndDtypes() {
        return normsAndShapes().flatMap(a -> Stream.of(DType.values())
                .map(d -> Arguments.of(a.get()[0], a.get()[1], d)));
    }

    Stream<String> norms() {
        return normNames().stream();
    }

    @Test
    void everyServiceEntryLoads() {
        assertEquals(List.of(), registry.loadProblems());
        assertFalse(normNames().isEmpty(), "no norm to check: is the module's META-INF/services file on the class path?");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("norms")
    void contractIsConsistent(String name) {
        NormalizationProvider provider = registry.get(name);
        assertFalse(provider.summary().isBlank(), name + " has no summary");
        assertFalse(provider.summary().contains("\n"), name + "'s summary must be one line");
        InputContract contract = provider.contract();
        assertFalse(contract.exampleShapes().isEmpty(), name + " has no example shapes");
        for (Shape shape : contract.exampleShapes()) {
            assertTrue(contract.accepts(shape), name + " does not accept its own example shape " + shape);
            provider.create(contract.specFor(shape, NormSpec.of(1)));
        }
        assertFalse(contract.benchmarkShapes().isEmpty(), name + " has no benchmark shapes: normkit bench would skip it");
        for (Shape shape : contract.benchmarkShapes()) {
            assertTrue(contract.accepts(shape), name + " does not accept its own benchmark shape " + shape);
            contract.specFor(shape, NormSpec.of(1));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("normsAndShapes")
    void referenceFacePassesGradcheckInTraining(String name, Shape shape) {
        gradcheck(name, shape, true);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("normsAndShapes")
    void referenceFacePassesGradcheckInEvaluation(String name, Shape shape) {
        gradcheck(name, shape, false);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("normsShapesAndDtypes")
    void facesAgreeInTraining(String name, Shape shape, DType dtype) {
        faces(name, shape, dtype, true);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("normsShapesAndDtypes")
    void facesAgreeInEvaluation(String name, Shape shape, DType dtype) {
        faces(name, shape, dtype, false);
    }

    /**
     * The norms whose layers keep running statistics when asked to ({@code trackRunningStats}), so that the three
     * switches of {@link NormLayer} all apply.
     */
    Stream<String> normsWithRunningStatistics() {
        return norms().filter(name -> {
            try {
                return create(name, registry.get(name).contract().exampleShapes().get(0), DType.FLOAT64,
                        true) instanceof NormLayer layer && layer.runningStats().isPresent();
            } catch (IllegalArgumentException e) {
                return false;
            }
        });
    }

    /**
     * Every combination of the three switches (γ/β trainable, running statistics updated, running statistics used),
     * on each face the norm has, does what {@link NormLayer}'s truth table says whatever the other two are: the
     * output is the reference face's with the statistics the switch names, γ and β get gradients exactly when
     * trainable, the input's gradient always flows, and the running statistics move exactly when updated, and then
     * as one training step would move them (from the batch, whichever statistics normalised). {@code freeze()} is
     * the fine-tuning combination and survives {@code train()}. A dynamic test per norm, as a plugin's norms may
     * keep no running statistics at all.
     */
    @TestFactory
    Stream<DynamicTest> everyCombinationOfTheThreeSwitchesDoesWhatItSaysOnBothFaces() {
        return normsWithRunningStatistics().map(name -> DynamicTest.dynamicTest(name, () -> switches(name)));
    }

    private void switches(String name) {
        Shape shape = shapeTakenInTraining(name);
        NormLayer probe = (NormLayer) create(name, shape, DType.FLOAT64, true);
        List<Face> faces = probe.fused().isPresent() ? List.of(Face.REFERENCE, Face.FUSED) : List.of(Face.REFERENCE);
        long seed = seed(name, shape);
        Map<String, Tensor> state = FaceAgreement.randomState(probe.stateDict(), seed);
        Tensor input = Tensor.randn(DType.FLOAT64, shape, seed + 1);
        Tensor upstream = Tensor.randn(DType.FLOAT64, shape, seed + 2);
        for (Face face : faces) {
            Map<String, Tensor> afterOneTrainingStep = trainingStepBuffers(name, shape, state, input, face);
            for (boolean trainable : new boolean[] {true, false}) {
                for (boolean updates : new boolean[] {true, false}) {
                    for (boolean usesRunning : new boolean[] {true, false}) {
                        String combination = name + " " + shape + " " + face + ": trainable=" + trainable
                                + ", updates=" + updates + ", uses running=" + usesRunning;
                        NormLayer layer = layer(name, shape, state, face);
                        layer.setAffineTrainable(trainable).setUpdatesRunningStatistics(updates)
                                .setUsesRunningStatistics(usesRunning);
                        Tensor x = input.copy().requiresGrad(true);
                        Tensor y = layer.forward(x);
                        // The buffers the forward leaves (a norm's backward may update state of its own).
                        Map<String, Tensor> buffers = buffers(layer);
                        y.mul(upstream).sum().backward();

                        assertClose(expectedOutput(name, shape, state, input, usesRunning), y, combination
                                + ": the output is the reference face's with the "
                                + (usesRunning ? "running" : "batch's") + " statistics");
                        for (Optional<Tensor> parameter : List.of(layer.weight(), layer.bias())) {
                            parameter.ifPresent(p -> assertEquals(trainable, p.grad() != null,
                                    combination + ": γ/β get a gradient exactly when trainable"));
                        }
                        assertNotNull(x.grad(), combination + ": the input's gradient flows");
                        Map<String, Tensor> expected = updates ? afterOneTrainingStep : buffers(state);
                        expected.forEach((buffer, value) -> assertClose(value, buffers.get(buffer), combination
                                + ": " + buffer + (updates ? " moves as in a training step" : " stays as it was")));
                    }
                }
            }
            NormLayer frozen = layer(name, shape, state, face);
            frozen.freeze();
            frozen.train();
            assertEquals(List.of(false, false, true), List.of(frozen.isAffineTrainable(),
                    frozen.updatesRunningStatistics(), frozen.usesRunningStatistics()), name + " " + face
                    + ": freeze() sets γ/β constant and the running statistics used, not updated, through train()");
        }
    }

    /** The first example shape the norm takes with the batch's statistics. */
    private Shape shapeTakenInTraining(String name) {
        for (Shape shape : registry.get(name).contract().exampleShapes()) {
            Normalization layer = create(name, shape, DType.FLOAT64, true);
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                layer.reference(Tensor.zeros(DType.FLOAT64, shape), layer.statisticsInUse());
                return shape;
            } catch (UnsupportedInputException e) {
                // One value per channel: refused in training; try the next shape.
            }
        }
        throw new AssertionError(name + ": no example shape is taken in training");
    }

    private NormLayer layer(String name, Shape shape, Map<String, Tensor> state, Face face) {
        NormLayer layer = (NormLayer) create(name, shape, DType.FLOAT64, true);
        layer.loadStateDict(state);
        layer.setFace(face);
        return layer;
    }

    /** The reference face with the running statistics as loaded, or with the batch's: what the switch promises. */
    private Tensor expectedOutput(String name, Shape shape, Map<String, Tensor> state, Tensor x, boolean usesRunning) {
        NormLayer twin = layer(name, shape, state, Face.REFERENCE);
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor withRunning = twin.reference(x, twin.runningStats().orElseThrow().asStatistics());
            Tensor withBatch = twin.reference(x, Statistics.batch());
            assertFalse(maxDifference(withRunning, withBatch) < 1e-6, name + ": the running and the batch's "
                    + "statistics give the same output, so the check could not tell them apart");
            return usesRunning ? withRunning : withBatch;
        }
    }

    /** The buffers after one forward in PyTorch's training mode, the meaning of "statistics updating". */
    private Map<String, Tensor> trainingStepBuffers(String name, Shape shape, Map<String, Tensor> state, Tensor x,
                                                    Face face) {
        NormLayer twin = layer(name, shape, state, face);
        twin.train();
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            twin.forward(x);
        }
        return buffers(twin);
    }

    private static Map<String, Tensor> buffers(NormLayer layer) {
        return buffers(layer.stateDict());
    }

    private static Map<String, Tensor> buffers(Map<String, Tensor> state) {
        Map<String, Tensor> buffers = new TreeMap<>();
        state.forEach((key, value) -> {
            if (!key.equals("weight") && !key.equals("bias")) {
                buffers.put(key, value.detach().copy());
            }
        });
        return buffers;
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.shape(), actual.shape(), what);
        double worst = maxDifference(expected, actual);
        assertTrue(worst <= 1e-9, what + ": worst difference " + worst);
    }

    private static double maxDifference(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1 + Math.abs(x[i])));
        }
        return worst;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("normsAndShapes")
    void referenceFacePassesSecondOrderGradcheck(String name, Shape shape) {
        secondOrder(name, shape, true, Face.REFERENCE);
        secondOrder(name, shape, false, Face.REFERENCE);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("normsAndShapes")
    void fusedFaceDoesWhatItStatesAtSecondOrder(String name, Shape shape) {
        Normalization probe = create(name, shape, DType.FLOAT64);
        Assumptions.assumeTrue(probe.fused().isPresent(), name + " has no fused face");
        if (probe.fusedSecondOrder() == FusedSecondOrder.REFUSED) {
            probe.setFace(Face.FUSED);
            Tensor x = Tensor.randn(DType.FLOAT64, shape, 1).requiresGrad(true);
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> Backprop.grad(probe.forward(x).square().sum(), new Tensor[] {x}, true));
            assertTrue(e.getMessage().contains("has no differentiable backward"), e.getMessage());
            return;
        }
        secondOrder(name, shape, true, Face.FUSED);
        secondOrder(name, shape, false, Face.FUSED);
    }

    private void secondOrder(String name, Shape shape, boolean training, Face face) {
        long seed = seed(name, shape);
        Normalization layer = create(name, shape, DType.FLOAT64);
        layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), seed));
        layer.train(training);
        try {
            assumeTakes(layer, shape);
        } catch (org.opentest4j.TestAbortedException e) {
            return;
        }
        if (layer.approximateBackward().isPresent()) {
            // An approximate first derivative (Normalization.approximateBackward) has no second one to check.
            return;
        }
        GradCheck.Report report = NormGradCheck.checkSecondOrder(layer, Tensor.randn(DType.FLOAT64, shape, seed + 1),
                seed + 2, face);
        assertTrue(report.passed(), name + " " + shape + (training ? " train " : " eval ") + face + " second order\n"
                + report.describe());
    }

    private void gradcheck(String name, Shape shape, boolean training) {
        long seed = seed(name, shape);
        Normalization layer = create(name, shape, DType.FLOAT64);
        layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), seed));
        layer.train(training);
        assumeTakes(layer, shape);
        GradCheck.Report report = NormGradCheck.check(layer, Tensor.randn(DType.FLOAT64, shape, seed + 1), seed + 2);
        assertTrue(report.passed(), name + " " + shape + (training ? " train" : " eval") + "\n" + report.describe());
    }

    private void faces(String name, Shape shape, DType dtype, boolean training) {
        NormalizationProvider provider = registry.get(name);
        Normalization probe = create(name, shape, dtype);
        probe.train(training);
        assumeTakes(probe, shape);
        Assumptions.assumeTrue(probe.fused().isPresent(), name + " has no fused face");
        FaceAgreement.Report report = FaceAgreement.check(provider, shape, dtype, training, seed(name, shape));
        assertTrue(report.passed(), report.describe());
    }

    // ***** masks of valid positions: every norm that takes one (Normalization.takesMask()) *****

    /**
     * The norms that take a {@link PositionMask}, each example shape that leaves something to mask, and the mask: the
     * last position of the first sample left out when samples have at least three positions (so that every set of
     * statistics keeps two values, as the running variance's Bessel correction needs), or the whole first sample when
     * each sample has one position and there are at least three. A shape the norm refuses with that mask is skipped.
     */
    Stream<Arguments> maskedNormsAndShapes() {
        List<Arguments> all = new ArrayList<>();
        for (String name : normNames()) {
            for (Shape shape : registry.get(name).contract().exampleShapes()) {
                if (!create(name, shape, DType.FLOAT64).takesMask()) {
                    break;
                }
                exampleMask(shape).ifPresent(mask -> all.add(Arguments.of(name, shape, mask)));
            }
        }
        return all.stream();
    }

    /**
     * The four masked checks for each norm, shape and mask of {@link #maskedNormsAndShapes()}; dynamic tests, as a
     * plugin's norms may take no mask at all.
     */
    @TestFactory
    Stream<DynamicTest> normsThatTakeAMaskPassTheMaskedChecks() {
        return maskedNormsAndShapes().flatMap(arguments -> {
            String name = (String) arguments.get()[0];
            Shape shape = (Shape) arguments.get()[1];
            PositionMask mask = (PositionMask) arguments.get()[2];
            String label = name + " " + shape + " " + mask;
            return Stream.of(
                    DynamicTest.dynamicTest(label + ": masked reference face gradcheck",
                            () -> maskedReferenceFacePassesGradcheck(name, shape, mask)),
                    DynamicTest.dynamicTest(label + ": masked fused face gradcheck",
                            () -> maskedFusedFacePassesGradcheck(name, shape, mask)),
                    DynamicTest.dynamicTest(label + ": masked faces agree",
                            () -> maskedFacesAgree(name, shape, mask)),
                    DynamicTest.dynamicTest(label + ": the padding's values change nothing",
                            () -> whatThePaddingHoldsChangesNothing(name, shape, mask)));
        });
    }

    static Optional<PositionMask> exampleMask(Shape shape) {
        Shape positions = PositionMask.positionsOf(shape);
        int samples = positions.dim(0);
        int perSample = positions.numel() / samples;
        boolean[] valid = new boolean[positions.numel()];
        java.util.Arrays.fill(valid, true);
        if (perSample >= 3) {
            valid[perSample - 1] = false;
        } else if (perSample == 1 && samples >= 3) {
            valid[0] = false;
        } else {
            return Optional.empty();
        }
        return Optional.of(PositionMask.of(positions, valid));
    }

    private void maskedReferenceFacePassesGradcheck(String name, Shape shape, PositionMask mask) {
        long seed = seed(name, shape);
        Normalization layer = create(name, shape, DType.FLOAT64);
        layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), seed));
        assumeTakes(layer, shape, mask);
        if (layer.approximateBackward().isPresent() && layer instanceof NormLayer norm) {
            // Batch statistics, not updated: the exact backward, the one finite differences can check.
            norm.setUpdatesRunningStatistics(false).setUsesRunningStatistics(false);
        }
        GradCheck.Report report = GradCheck.check(in -> layer.reference(in.get(0), Statistics.batch(), mask),
                List.of(Tensor.randn(DType.FLOAT64, shape, seed + 1)), seed + 2);
        assertTrue(report.passed(), name + " " + shape + " masked " + mask + "\n" + report.describe());
    }

    private void maskedFusedFacePassesGradcheck(String name, Shape shape, PositionMask mask) {
        long seed = seed(name, shape);
        Normalization layer = create(name, shape, DType.FLOAT64);
        layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), seed));
        assumeTakes(layer, shape, mask);
        Assumptions.assumeTrue(layer.fused(mask).isPresent(), name + " has no masked fused face");
        if (layer instanceof NormLayer norm && norm.runningStats().isPresent()) {
            // Batch statistics, not updated: the check calls the forward many times.
            norm.setUpdatesRunningStatistics(false).setUsesRunningStatistics(false);
        }
        layer.setFace(Face.FUSED);
        GradCheck.Report report = GradCheck.check(in -> layer.forward(in.get(0), mask),
                List.of(Tensor.randn(DType.FLOAT64, shape, seed + 1)), seed + 2);
        assertTrue(report.passed(), name + " " + shape + " masked " + mask + " fused\n" + report.describe());
    }

    /**
     * Both faces with the mask, one training step in each dtype: output, the gradients of the input and of every
     * parameter, and the buffers after the step agree within the faces' tolerance.
     */
    private void maskedFacesAgree(String name, Shape shape, PositionMask mask) {
        Normalization probe = create(name, shape, DType.FLOAT64);
        assumeTakes(probe, shape, mask);
        Assumptions.assumeTrue(probe.fused(mask).isPresent(), name + " has no masked fused face");
        long seed = seed(name, shape);
        for (DType dtype : DType.values()) {
            Map<String, Tensor> reference = maskedStep(name, shape, mask, dtype, Face.REFERENCE, seed);
            Map<String, Tensor> fused = maskedStep(name, shape, mask, dtype, Face.FUSED, seed);
            for (Map.Entry<String, Tensor> expected : reference.entrySet()) {
                Comparison c = Comparison.of(expected.getKey(), fused.get(expected.getKey()), expected.getValue(),
                        Tolerance.faces(dtype));
                assertTrue(c.passed(), name + " " + shape + " masked " + mask + " " + dtype + ": " + c.describe());
            }
        }
    }

    /**
     * What the padded positions hold changes neither the output at the valid positions nor the running statistics:
     * the same input with other values in the padding gives the same numbers on every face the norm has.
     */
    private void whatThePaddingHoldsChangesNothing(String name, Shape shape, PositionMask mask) {
        Normalization probe = create(name, shape, DType.FLOAT64);
        assumeTakes(probe, shape, mask);
        long seed = seed(name, shape);
        Tensor x = Tensor.randn(DType.FLOAT64, shape, seed + 1);
        Tensor keep = mask.expandTo(shape, DType.FLOAT64);
        Tensor other = x.mul(keep).add(Tensor.randn(DType.FLOAT64, shape, seed + 3).mul(100).mul(keep.neg().add(1)));
        List<Face> faces = probe.fused(mask).isPresent() ? List.of(Face.REFERENCE, Face.FUSED) : List.of(Face.REFERENCE);
        for (Face face : faces) {
            Map<String, Tensor> a = maskedForward(name, shape, mask, x, face, seed);
            Map<String, Tensor> b = maskedForward(name, shape, mask, other, face, seed);
            a.forEach((what, value) -> {
                Tensor shown = what.equals("output") ? value.mul(keep) : value;
                Tensor otherShown = what.equals("output") ? b.get(what).mul(keep) : b.get(what);
                Comparison c = Comparison.of(what, otherShown, shown, Tolerance.FACES_FLOAT64);
                assertTrue(c.passed(), name + " " + shape + " masked " + mask + " " + face
                        + ": the padding's values changed " + c.describe());
            });
        }
    }

    private Map<String, Tensor> maskedForward(String name, Shape shape, PositionMask mask, Tensor x, Face face,
                                              long seed) {
        Normalization layer = create(name, shape, DType.FLOAT64);
        layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), seed));
        layer.setFace(face);
        layer.train();
        Map<String, Tensor> out = new TreeMap<>();
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            out.put("output", layer.forward(x, mask));
        }
        layer.stateDict().forEach((key, value) -> out.put(key, value.detach().copy()));
        return out;
    }

    private Map<String, Tensor> maskedStep(String name, Shape shape, PositionMask mask, DType dtype, Face face,
                                           long seed) {
        Normalization layer = create(name, shape, dtype);
        Map<String, Tensor> state = new TreeMap<>();
        FaceAgreement.randomState(create(name, shape, DType.FLOAT64).stateDict(), seed)
                .forEach((key, value) -> state.put(key, value.to(dtype)));
        layer.loadStateDict(state);
        layer.setFace(face);
        layer.train();
        Tensor x = Tensor.randn(DType.FLOAT64, shape, seed + 1).to(dtype).requiresGrad(true);
        Tensor y = layer.forward(x, mask);
        y.mul(Tensor.randn(DType.FLOAT64, shape, seed + 2).to(dtype)).sum().backward();
        Map<String, Tensor> out = new TreeMap<>();
        out.put("output", y.detach());
        out.put("gradInput", x.grad());
        for (org.normkit.autograd.nn.Parameter p : layer.parameters()) {
            out.put("grad of parameter " + out.size(), p.grad());
        }
        layer.stateDict().forEach((key, value) -> out.put("after the step: " + key, value.detach().copy()));
        return out;
    }

    /** Skips (rather than fails) a shape and mask the norm refuses, e.g. a sample left without valid positions. */
    private static void assumeTakes(Normalization layer, Shape shape, PositionMask mask) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            layer.reference(Tensor.zeros(layer.spec().dtype(), shape), Statistics.batch(), mask);
        } catch (UnsupportedInputException e) {
            Assumptions.abort("refused with the mask " + mask + ": " + e.getMessage());
        }
    }

    private Normalization create(String name, Shape shape, DType dtype) {
        NormalizationProvider provider = registry.get(name);
        return provider.create(provider.contract().specFor(shape, NormSpec.of(1).withDtype(dtype)));
    }

    /** With {@code tracking}, asks for running statistics, which some norms (InstanceNorm) keep only when asked. */
    private Normalization create(String name, Shape shape, DType dtype, boolean tracking) {
        NormalizationProvider provider = registry.get(name);
        return provider.create(provider.contract().specFor(shape,
                NormSpec.of(1).withDtype(dtype).withTrackRunningStats(tracking)));
    }

    /** Skips (rather than fails) a shape the norm documents as refused in this mode. */
    private static void assumeTakes(Normalization layer, Shape shape) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            layer.reference(Tensor.zeros(layer.spec().dtype(), shape), layer.statisticsInUse());
        } catch (UnsupportedInputException e) {
            Assumptions.abort("refused in " + (layer.isTraining() ? "training" : "evaluation") + ": "
                    + e.getMessage());
        }
    }

    private static long seed(String name, Shape shape) {
        return (name + shape).hashCode();
    }
}
