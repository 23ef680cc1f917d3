package org.normkit.core.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.core.inference.FoldingNets.assertAgree;
import static org.normkit.core.inference.FoldingNets.input;
import static org.normkit.core.inference.FoldingNets.trained;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.nn.Conv2d;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.ReLU;
import org.normkit.autograd.nn.Sequential;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.batch.BatchNorm;

/**
 * Folding cases {@code BatchNormFoldingTest} leaves out: a convolution followed by the rank-generic
 * {@code batch_norm}, a convolution whose channels differ from the norm's features, an empty Sequential before a
 * norm, and a norm two modules deep inside a module that is not a Sequential.
 */
class FoldingEdgesTest {
    private final SplittableRandom random = new SplittableRandom(11);

    private NormLayer norm(String name, int features) {
        return trained(new BatchNorm().create(name, NormSpec.of(features).withDtype(DType.FLOAT64)), random);
    }

    private Conv2d conv(int out) {
        return new Conv2d(1, out, 3, 1, 1, true, DType.FLOAT64, random);
    }

    private String refusalOf(Module net) {
        net.eval();
        return assertThrows(IllegalArgumentException.class, () -> BatchNormFolding.fold(net)).getMessage();
    }

    @Test
    void aConvolutionFoldsIntoTheRankGenericBatchNorm() {
        Sequential net = new Sequential(conv(2), norm("batch_norm", 2));
        net.eval();
        Sequential folded = (Sequential) BatchNormFolding.fold(net);
        assertEquals(1, folded.size());
        Tensor x = input(DType.FLOAT64, random, 2, 1, 4, 4);
        assertAgree(folded.forward(x), net.forward(x), 1e-10);
    }

    @Test
    void aConvolutionWhoseChannelsDifferFromTheNormsFeaturesIsRefused() {
        String message = refusalOf(new Sequential(conv(4), norm("batch_norm2d", 3)));
        assertTrue(message.contains("has 3 features but '0' ("), message);
        assertTrue(message.contains(") has 4 outputs: the model could not run as it is"), message);
    }

    @Test
    void anEmptySequentialBeforeANormIsNotALayerToFoldInto() {
        String message = refusalOf(new Sequential(new Sequential(), norm("batch_norm1d", 3)));
        assertTrue(message.startsWith("cannot fold BatchNorm '1' "), message);
    }

    @Test
    void aNormTwoModulesDeepInsideAModuleThatIsNotASequentialIsNamedByItsPath() {
        Module outer = new Module() {
            private final Module middle = registerChild("middle", new Module() {
                private final NormLayer inner = registerChild("norm", norm("batch_norm1d", 3));

                @Override
                public Tensor forward(Tensor x) {
                    return inner.forward(x);
                }
            });

            @Override
            public Tensor forward(Tensor x) {
                return middle.forward(x);
            }
        };
        String message = refusalOf(new Sequential(new ReLU(), outer));
        assertTrue(message.startsWith("cannot fold BatchNorm '1.middle.norm' "), message);
        assertTrue(message.contains("which is not a Sequential"), message);
    }
}
