package org.normkit.autograd.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * What a norm inherits when it says nothing: statistics chosen by the family's rule from its state dict, no mask of
 * valid positions (refused with the way out), no masked fused face, second order refused by the fused face, and a
 * contract's spec from options alone. Also the registry of bn-autograd's own class path, which holds no norm.
 */
class NormalizationDefaultsTest {

    /** Test-only: y = x, with or without running-statistics buffers. */
    private static final class Passthrough extends ReferenceOnlyNorm {
        private final Tensor runningMean;
        private final Tensor runningVar;

        Passthrough(boolean tracking) {
            runningMean = tracking ? registerBuffer("running_mean", Tensor.zeros(DType.FLOAT64, 2)) : null;
            runningVar = tracking ? registerBuffer("running_var", Tensor.ones(DType.FLOAT64, 2)) : null;
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
            return x;
        }
    }

    @Nested
    class StatisticsInUse {
        @Test
        void trainingNormalisesWithTheBatch() {
            assertTrue(new Passthrough(true).statisticsInUse().isBatch());
        }

        @Test
        void evaluationWithRunningStatisticsUsesTheLayersOwnBuffers() {
            Passthrough layer = new Passthrough(true);
            layer.eval();
            Statistics.Running use = assertInstanceOf(Statistics.Running.class, layer.statisticsInUse());
            assertSame(layer.runningMean, use.mean());
            assertSame(layer.runningVar, use.variance());
        }

        @Test
        void evaluationWithoutRunningStatisticsStillUsesTheBatch() {
            Passthrough layer = new Passthrough(false);
            layer.eval();
            assertTrue(layer.statisticsInUse().isBatch());
        }
    }

    @Nested
    class Masks {
        private final PositionMask mask = PositionMask.ofLengths(new int[] {1, 2}, 2);
        private final Tensor x = Tensor.zeros(DType.FLOAT64, 2, 2, 2);

        @Test
        void aNormTakesNoMaskUnlessItSaysSo() {
            assertFalse(new Passthrough(true).takesMask());
            assertEquals(Optional.empty(), new Passthrough(true).fused(mask));
        }

        @Test
        void aMaskedForwardIsRefusedNamingTheLayerAndTheWayOut() {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> new Passthrough(true).forward(x, mask));
            assertEquals("Passthrough takes no mask of valid positions: its statistics cannot leave positions out; "
                    + "use a norm that does (batch_norm, instance_norm, group_norm), or gather the valid rows first "
                    + "(org.normkit.autograd.nn.ValidRows)", e.getMessage());
        }

        @Test
        void aMaskedReferenceIsRefusedTheSameWay() {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> new Passthrough(true).reference(x, Statistics.batch(), mask));
            assertTrue(e.getMessage().startsWith("Passthrough takes no mask of valid positions"), e.getMessage());
        }
    }

    @Nested
    class SecondOrderAndStatistics {
        @Test
        void theFusedFaceRefusesSecondOrderUnlessTheNormSaysOtherwise() {
            assertEquals(FusedSecondOrder.REFUSED, new Passthrough(true).fusedSecondOrder());
        }

        @Test
        void eachSecondOrderBehaviourStatesItselfInOneLine() {
            assertEquals("the fused face's backward is differentiable itself",
                    FusedSecondOrder.DIFFERENTIABLE_BACKWARD.statement());
            assertEquals("the fused face hands second order to the reference face",
                    FusedSecondOrder.REFERENCE_FACE.statement());
            assertEquals("the fused face refuses second order: run the reference face for it",
                    FusedSecondOrder.REFUSED.statement());
        }

        @Test
        void aNormExposesNoReferenceStatisticsUnlessItSaysSo() {
            assertEquals(Optional.empty(),
                    new Passthrough(true).referenceStatistics(Tensor.zeros(DType.FLOAT64, 2, 2), Statistics.batch()));
        }
    }

    @Nested
    class Contracts {
        /** Test-only: takes (N, C) and sets C from the shape. */
        private final InputContract channels = new InputContract() {
            @Override
            public String layout() {
                return "(N, C)";
            }

            @Override
            public boolean accepts(Shape input) {
                return input.rank() == 2;
            }

            @Override
            public List<Shape> exampleShapes() {
                return List.of(Shape.of(3, 2));
            }

            @Override
            public List<Shape> benchmarkShapes() {
                return List.of(Shape.of(64, 8));
            }

            @Override
            public NormSpec specFor(Shape input, NormSpec base) {
                return base.withNumFeatures(input.dim(1));
            }
        };

        @Test
        void aSpecFromOptionsAloneHasTheDefaultsTheShapeAndTheOptions() {
            NormSpec spec = channels.specFor(Shape.of(4, 6), Map.of("groups", "3"));
            assertEquals(NormSpec.of(6).withOption("groups", "3"), spec);
        }

        @Test
        void aContractReadsNoOptionsAndStatesNoMemoryPassesUnlessItSaysSo() {
            assertTrue(channels.optionNames().isEmpty());
            assertEquals(Optional.empty(), channels.memoryPasses());
        }
    }

    @Test
    void bnAutogradsOwnClassPathRegistersNoNorm() {
        NormRegistry registry = NormRegistry.loadDefault();
        assertEquals(List.of(), registry.names());
        assertEquals(List.of(), registry.loadProblems());
    }
}
