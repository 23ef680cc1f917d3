package org.normkit.core.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.core.inference.FoldingNets.assertAgree;
import static org.normkit.core.inference.FoldingNets.input;
import static org.normkit.core.inference.FoldingNets.relativeError;
import static org.normkit.core.inference.FoldingNets.trained;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.nn.Conv2d;
import org.normkit.autograd.nn.Flatten;
import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.ReLU;
import org.normkit.autograd.nn.Sequential;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.batch.BatchNorm;

class BatchNormFoldingTest {
    private final SplittableRandom random = new SplittableRandom(7);

    private Linear linear(int in, int out) {
        return new Linear(in, out, true, DType.FLOAT64, random);
    }

    private NormLayer norm(int features) {
        return trained(new BatchNorm().create("batch_norm1d", NormSpec.of(features).withDtype(DType.FLOAT64)), random);
    }

    private IllegalArgumentException refusalOf(Sequential net) {
        return assertThrows(IllegalArgumentException.class, () -> BatchNormFolding.fold(net));
    }

    @Nested
    class Refusals {
        @Test
        void anActivationBetweenTheLayerAndTheNormIsNamed() {
            Sequential net = new Sequential(linear(4, 3), new ReLU(), norm(3));
            net.eval();
            String message = refusalOf(net).getMessage();
            assertTrue(message.startsWith("cannot fold BatchNorm '2' (batch_norm1d(3, eps=1.0E-5"), message);
            assertTrue(message.contains("follows '1' (ReLU), not a Linear or Conv2d"), message);
        }

        @Test
        void aNormInTrainingModeIsRefused() {
            Sequential net = new Sequential(linear(4, 3), norm(3));
            String message = refusalOf(net).getMessage();
            assertTrue(message.startsWith("cannot fold BatchNorm '1' "), message);
            assertTrue(message.contains("is in training mode"), message);
            assertTrue(message.contains("call eval()"), message);
        }

        @Test
        void aNormWithoutRunningStatisticsIsRefused() {
            Sequential net = new Sequential(linear(4, 3),
                    new BatchNorm().create("batch_norm1d", NormSpec.of(3).withDtype(DType.FLOAT64).withTrackRunningStats(false)));
            net.eval();
            assertTrue(refusalOf(net).getMessage().contains("keeps no running statistics (track_running_stats=false)"));
        }

        @Test
        void aNormDeepInANestedSequentialIsNamedByItsPath() {
            Sequential net = new Sequential(linear(4, 3), new Sequential(new ReLU(), new Sequential(norm(3))));
            net.eval();
            String message = refusalOf(net).getMessage();
            assertTrue(message.startsWith("cannot fold BatchNorm '1.1.0' "), message);
            assertTrue(message.contains("is the first layer of its Sequential"), message);
        }

        @Test
        void aLinearBeforeAnImageNormDoesNotFold() {
            Sequential net = new Sequential(linear(4, 3),
                    trained(new BatchNorm().create("batch_norm2d", NormSpec.of(3).withDtype(DType.FLOAT64)), random));
            net.eval();
            assertTrue(refusalOf(net).getMessage().contains("a Linear folds into batch_norm1d or batch_norm"));
        }

        @Test
        void aNormInsideAModuleThatIsNotASequentialIsRefused() {
            Module custom = new Module() {
                private final NormLayer inner = registerChild("norm", norm(3));

                @Override
                public Tensor forward(Tensor x) {
                    return inner.forward(x);
                }
            };
            Sequential net = new Sequential(linear(4, 3), custom);
            net.eval();
            String message = refusalOf(net).getMessage();
            assertTrue(message.startsWith("cannot fold BatchNorm '1.norm' "), message);
            assertTrue(message.contains("which is not a Sequential"), message);
        }

        @Test
        void aFeatureCountThatDiffersFromTheLayersOutputsIsRefused() {
            Sequential net = new Sequential(linear(4, 5), norm(3));
            net.eval();
            assertTrue(refusalOf(net).getMessage().contains("has 3 features but '0' (Linear(4 -> 5)) has 5 outputs"));
        }
    }

    @Nested
    class TheFoldedModel {
        @Test
        void keepsTheLayersAroundTheNormAndTheirModes() {
            ReLU relu = new ReLU();
            Sequential net = new Sequential(new Conv2d(1, 2, 3, 1, 1, false, DType.FLOAT64, random),
                    trained(new BatchNorm().create("batch_norm2d", NormSpec.of(2).withDtype(DType.FLOAT64)), random), relu, new Flatten(),
                    linear(2 * 4 * 4, 3), norm(3));
            net.eval();

            Sequential folded = (Sequential) BatchNormFolding.fold(net);

            assertEquals(4, folded.size());
            assertTrue(folded.get(0) instanceof Conv2d);
            assertTrue(((Conv2d) folded.get(0)).bias() != null, "a folded layer gains a bias");
            assertNotSame(net.get(0), folded.get(0));
            assertTrue(folded.get(3) instanceof Linear);
            assertFalse(folded.isTraining());
            assertFalse(folded.get(0).isTraining());
            Tensor x = input(DType.FLOAT64, random, 2, 1, 4, 4);
            assertAgree(folded.forward(x), net.forward(x), 1e-10);
        }

        @Test
        void isFloat32WhenTheModelIsAndAgreesToFloat32Rounding() {
            Sequential net = new Sequential(new Linear(6, 4, new SplittableRandom(1)),
                    trained(new BatchNorm().create("batch_norm1d", NormSpec.of(4)), random));
            net.eval();
            Module folded = BatchNormFolding.fold(net);
            Tensor x = input(DType.FLOAT32, random, 3, 6);
            assertEquals(DType.FLOAT32, folded.forward(x).dtype());
            assertAgree(folded.forward(x), net.forward(x), 1e-5);
        }

        @Test
        void aModelWithoutBatchNormIsCopiedUnchanged() {
            Sequential net = new Sequential(linear(3, 2), new ReLU());
            Sequential folded = (Sequential) BatchNormFolding.fold(net);
            Tensor x = input(DType.FLOAT64, random, 2, 3);
            assertEquals(0.0, relativeError(folded.forward(x), net.forward(x)));
            assertNotSame(net.get(0), folded.get(0));
            assertTrue(folded.isTraining());
        }
    }
}
