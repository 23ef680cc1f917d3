package org.normkit.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.check.FaceAgreement;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedSecondOrder;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.batch.BatchNorm;
import org.normkit.core.kernel.Layout;

/**
 * The parts of a layer and of the contract presets that every norm relies on without stating them: typed options,
 * the switches' setters, resetting, the family members' contracts, and what each preset accepts and derives.
 */
class LayerAndContractTest {
    private static final NormSpec F64 = NormSpec.of(3).withDtype(DType.FLOAT64);

    /** A norm with two options and a spec check, to reach what BatchNorm does not use. */
    static final class Tunable extends Norm {
        Tunable() {
            super("tunable", "test double", ContractPreset.channelFirst(2));
        }

        @Override
        public Map<String, String> options() {
            return Map.of("count", "an integer (default 1)", "scale", "a number (default 1.0)");
        }

        @Override
        protected void validate(String name, NormSpec spec) {
            if (spec.numFeatures() > 8) {
                throw new IllegalArgumentException(name + ": at most 8 features, got " + spec.numFeatures());
            }
        }

        @Override
        public Layout layout(NormLayer layer, Shape input) {
            return Layout.channels(input.dim(0), input.dim(1), 1);
        }

        @Override
        public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
            return x;
        }
    }

    private static NormLayer batchNorm() {
        NormLayer layer = new BatchNorm().create("batch_norm1d", F64);
        layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), 5));
        return layer;
    }

    @Nested
    class Options {
        private NormLayer tunable(String option, String value) {
            return new Tunable().create(NormSpec.of(2).withOption(option, value));
        }

        @Test
        void anOptionGivenIsParsedAndAMissingOneFallsBack() {
            assertEquals(5, tunable("count", " 5 ").intOption("count", 1));
            assertEquals(0.25, tunable("scale", "0.25").doubleOption("scale", 1.0));
            NormLayer plain = new Tunable().create(NormSpec.of(2));
            assertEquals(7, plain.intOption("count", 7));
            assertEquals(1.5, plain.doubleOption("scale", 1.5));
        }

        @Test
        void anOptionThatDoesNotParseNamesTheLayerTheValueAndAnExample() {
            IllegalArgumentException notInteger = assertThrows(IllegalArgumentException.class,
                    () -> tunable("count", "two").intOption("count", 1));
            assertEquals("tunable: option count=two does not parse: expected an integer, e.g. count=1",
                    notInteger.getMessage());
            IllegalArgumentException infinite = assertThrows(IllegalArgumentException.class,
                    () -> tunable("scale", "Infinity").doubleOption("scale", 1.0));
            assertTrue(infinite.getMessage().startsWith("tunable: option scale=Infinity does not parse: expected a "
                    + "finite number"), infinite.getMessage());
        }

        @Test
        void anUnknownOptionIsRefusedListingTheKnownOnes() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Tunable().create(NormSpec.of(2).withOption("size", "3")));
            assertTrue(e.getMessage().startsWith("tunable has no option size: its options are "), e.getMessage());
            assertTrue(e.getMessage().contains("count (an integer (default 1))"), e.getMessage());
        }

        @Test
        void theNormsOwnSpecCheckRunsWhenALayerIsBuilt() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Tunable().create(NormSpec.of(9)));
            assertEquals("tunable: at most 8 features, got 9", e.getMessage());
        }
    }

    @Nested
    class LayerState {
        @Test
        void theSettersReturnTheLayerAndTheFaceIsKept() {
            NormLayer layer = batchNorm();
            assertSame(layer, layer.setUsesRunningStatistics(true));
            assertSame(layer, layer.setUpdatesRunningStatistics(false));
            assertSame(layer, layer.setAffineTrainable(true));
            assertSame(layer, layer.freeze());
            assertSame(layer, layer.unfreeze());
            assertSame(layer, layer.train());
            layer.setFace(Face.REFERENCE);
            assertEquals(Face.REFERENCE, layer.face());
            assertEquals(FusedSecondOrder.REFERENCE_FACE, layer.fusedSecondOrder(),
                    "a second-order pass differentiates the reference face");
        }

        @Test
        void onlyFreezeMakesALayerFrozen() {
            NormLayer layer = batchNorm();
            layer.setAffineTrainable(false).setUpdatesRunningStatistics(false).setUsesRunningStatistics(true);
            assertFalse(layer.isFrozen(), "the fine-tuning combination set by hand is not frozen: train() undoes it");
            assertTrue(layer.freeze().isFrozen());
        }

        @Test
        void makingTheAffineConstantDropsTheGradientsItHad() {
            NormLayer layer = batchNorm();
            layer.forward(Tensor.randn(DType.FLOAT64, Shape.of(4, 3), 1)).sum().backward();
            assertTrue(layer.weight().orElseThrow().grad() != null);
            layer.setAffineTrainable(false);
            assertNull(layer.weight().orElseThrow().grad(), "a stale γ gradient must not reach an optimizer");
            assertNull(layer.bias().orElseThrow().grad());
        }

        @Test
        void aLayerWithoutRunningStatisticsRefusesToUpdateThem() {
            NormLayer layer = new BatchNorm().create(F64.withTrackRunningStats(false));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.setUpdatesRunningStatistics(true));
            assertEquals("batch_norm keeps no running statistics to update: build it with trackRunningStats=true",
                    e.getMessage());
            layer.setUpdatesRunningStatistics(false);
        }

        @Test
        void resetParametersRestoresOnesZerosAndFreshRunningStatistics() {
            NormLayer layer = batchNorm();
            layer.resetParameters();
            Map<String, Tensor> state = layer.stateDict();
            assertArrayEquals(new double[] {1, 1, 1}, state.get("weight").toDoubleArray());
            assertArrayEquals(new double[] {0, 0, 0}, state.get("bias").toDoubleArray());
            assertArrayEquals(new double[] {0, 0, 0}, state.get("running_mean").toDoubleArray());
            assertArrayEquals(new double[] {1, 1, 1}, state.get("running_var").toDoubleArray());
            assertEquals(0.0, state.get("num_batches_tracked").item());
        }

        @Test
        void theReferenceFaceChecksItsInputLikeForward() {
            NormLayer layer = batchNorm();
            assertThrows(ShapeException.class,
                    () -> layer.reference(Tensor.zeros(DType.FLOAT64, 4, 5), Statistics.batch()));
        }

        @Test
        void referenceStatisticsAreTheRunningOnesWhenAsked() {
            NormLayer layer = batchNorm();
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(4, 3), 2);
            var saved = layer.referenceStatistics(x, layer.runningStats().orElseThrow().asStatistics()).orElseThrow();
            assertArrayEquals(layer.stateDict().get("running_mean").toDoubleArray(), saved.mean().toDoubleArray(),
                    1e-15);
            assertFalse(saved.fromBatch());
        }

        @Test
        void aChannelFirstLayerNormalisesOverItsFeatures() {
            assertEquals(Shape.of(3), batchNorm().normalizedShape());
        }
    }

    @Nested
    class FamilyMembers {
        private final BatchNorm family = new BatchNorm();

        private InputContract contractOf(String name) {
            return family.family().stream().filter(p -> p.name().equals(name)).findFirst()
                    .map(NormalizationProvider::contract).orElseThrow();
        }

        @Test
        void aFamilyDeclaresItsNamesInOrder() {
            assertEquals(List.of("batch_norm", "batch_norm1d", "batch_norm2d", "batch_norm3d"), family.names());
        }

        @Test
        void eachMemberAcceptsItsOwnRanksOnly() {
            InputContract twoD = contractOf("batch_norm2d");
            assertTrue(twoD.accepts(Shape.of(2, 3, 4, 5)));
            assertFalse(twoD.accepts(Shape.of(2, 3)));
            assertEquals("(N, C, H, W)", twoD.layout());
            assertFalse(twoD.exampleShapes().isEmpty());
            assertEquals(family.allOptions().keySet(), twoD.optionNames(), "tools refuse a misspelt option by these");
            assertFalse(twoD.optionNames().isEmpty(), "BatchNorm's running statistics take options");
            assertEquals(3, twoD.specFor(Shape.of(2, 3, 4, 5), Map.of()).numFeatures());
        }
    }

    @Nested
    class Presets {
        @Test
        void anyRankTakesRankTwoAndMoreWithEverySizeAtLeastOne() {
            ContractPreset any = ContractPreset.anyRank();
            assertTrue(any.accepts(Shape.of(1, 1)));
            assertTrue(any.accepts(Shape.of(2, 3, 1, 2, 2)));
            assertFalse(any.accepts(Shape.of(3)));
            assertFalse(any.accepts(Shape.of(2, 0, 3)), "an empty dimension");
            assertEquals("(N, C, ...) of rank >= 2", any.layout());
            ShapeException e = assertThrows(ShapeException.class, () -> any.checkLayout("probe", Shape.of(3),
                    NormSpec.of(3)));
            assertTrue(e.getMessage().startsWith("probe"), e.getMessage());
            any.checkLayout("probe", Shape.of(2, 3), NormSpec.of(3));
        }

        @Test
        void theTrailingDefaultIsTheLastAxisUpToRankThreeAndEveryAxisButTheBatchAbove() {
            ContractPreset trailing = ContractPreset.trailing();
            NormSpec sequence = trailing.specFor(Shape.of(2, 3, 4), NormSpec.of(1));
            assertEquals(4, sequence.numFeatures());
            assertEquals("4", sequence.option(ContractPreset.NORMALIZED_SHAPE).orElseThrow());
            NormSpec image = trailing.specFor(Shape.of(2, 3, 4, 5), NormSpec.of(1));
            assertEquals(60, image.numFeatures());
            assertEquals("3,4,5", image.option(ContractPreset.NORMALIZED_SHAPE).orElseThrow());
        }

        @Test
        void aNormalizedShapeThatIsNotTheInputsTailIsRefused() {
            ContractPreset trailing = ContractPreset.trailing();
            NormSpec wrong = NormSpec.of(1).withOption(ContractPreset.NORMALIZED_SHAPE, "5");
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                    () -> trailing.specFor(Shape.of(2, 3, 4), wrong));
            assertTrue(e.getMessage().contains("normalized_shape"), e.getMessage());
            assertThrows(ShapeException.class, () -> trailing.checkLayout("probe", Shape.of(2, 3, 4),
                    NormSpec.of(5).withOption(ContractPreset.NORMALIZED_SHAPE, "5")));
        }

        @Test
        void aShapeOutsideThePresetIsRefusedNamingTheLayout() {
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                    () -> ContractPreset.channelFirst(4).specFor(Shape.of(2, 3), NormSpec.of(1)));
            assertEquals("cannot take an input of shape (2, 3): it accepts (N, C, H, W) with every size >= 1",
                    e.getMessage());
        }

        @Test
        void chosenExampleShapesReplaceTheDerivedOnes() {
            ContractPreset preset = ContractPreset.channelFirst(2).withExampleShapes(Shape.of(7, 2));
            assertEquals(List.of(Shape.of(7, 2)), preset.exampleShapes());
            assertEquals(ContractPreset.channelFirst(2).benchmarkShapes(), preset.benchmarkShapes());
        }
    }
}
