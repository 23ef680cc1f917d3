package org.normkit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.check.FaceAgreement;
import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.check.NormGradCheck;
import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedSecondOrder;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The checks every registered norm inherits, parameterised over the registry's names and each norm's
 * {@link InputContract#exampleShapes()}: gradcheck of the reference face in float64 (training with batch statistics;
 * evaluation, with the running statistics where the norm tracks them), agreement of the reference and fused faces
 * ({@link FaceAgreement}: output, saved statistics, input and parameter gradients, running statistics after one step)
 * in both modes and both dtypes, second-order gradchecks (finite differences of first-order gradients) of the
 * reference face and of the fused face as {@link Normalization#fusedSecondOrder} states it, and the contract's own
 * consistency. A shape a norm refuses in training (one value
 * per channel) is checked in evaluation only.
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

    private Normalization create(String name, Shape shape, DType dtype) {
        NormalizationProvider provider = registry.get(name);
        return provider.create(provider.contract().specFor(shape, NormSpec.of(1).withDtype(dtype)));
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
