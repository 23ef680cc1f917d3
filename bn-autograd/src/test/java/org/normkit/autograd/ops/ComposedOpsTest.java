package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.normkit.autograd.TestTensors.assertGradients;
import static org.normkit.autograd.TestTensors.randn;
import static org.normkit.autograd.TestTensors.uniform;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** The composed ops: values against known numbers, gradients through the primitives against finite differences. */
class ComposedOpsTest {

    @Test
    void varianceWithAndWithoutBesselsCorrection() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 0.5, -1, 2}, 2, 3);
        assertArrayEquals(new double[] {1.0, 2.25}, x.var(new int[] {1}, true, false).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {2.0 / 3, 1.5}, x.var(new int[] {1}, false, false).toDoubleArray(), 1e-15);
        assertGradients(in -> in.get(0).var(new int[] {0, 2}, false, true), randn(1, 3, 2, 4));
    }

    @Test
    void meanAndRsqrt() {
        assertEquals(3.5, Tensor.arange(DType.FLOAT64, 1, 7, 1).mean().item());
        assertGradients(in -> in.get(0).mean(new int[] {1}, true).add(in.get(0).rsqrt()), uniform(1, 0.5, 2, 3, 4));
    }

    @Test
    void softmaxAndLogSoftmaxGradients() {
        assertGradients(in -> in.get(0).softmax(1).mul(in.get(1)).logSoftmax(0),
                randn(5, 3, 4), randn(6, 1, 4));
    }

    @Test
    void softmaxRowsSumToOneEvenForHugeScores() {
        Tensor p = Tensor.of(new double[] {1000, 1001, 1002, -5, 0, 5}, 2, 3).softmax(1);
        assertArrayEquals(new double[] {1, 1}, p.sum(new int[] {1}, false).toDoubleArray(), 1e-15);
    }

    @Test
    void tanhAndGeluGradients() {
        assertGradients(in -> in.get(0).tanh(), randn(1, 3, 4));
        assertGradients(in -> in.get(0).gelu(), randn(2, 3, 4));
    }

    @Test
    void erfMatchesReferenceValuesOnBothBranches() {
        assertEquals(0.8427007929497149, Tensor.scalar(1.0, DType.FLOAT64).erf().item(), 1e-14);
        assertEquals(-0.9999779095030014, Tensor.scalar(-3.0, DType.FLOAT64).erf().item(), 1e-14);
        assertEquals(0.9999999845827421, Tensor.scalar(4.0, DType.FLOAT64).erf().item(), 1e-14);
    }

    @Test
    void crossEntropyMatchesPyTorch() {
        Tensor logits = Tensor.of(new double[] {1, 2, 3, 0.5, -1, 2}, 2, 3);
        // torch.nn.functional.cross_entropy(logits, torch.tensor([2, 0])) in float64
        assertEquals(1.0744586305507688, Losses.crossEntropy(logits, new int[] {2, 0}).item(), 1e-15);
        assertGradients(in -> Losses.crossEntropy(in.get(0), new int[] {1, 0, 3}), randn(3, 3, 4));
    }

    @Test
    void transposeAndFlattenMoveElementsWhereExpected() {
        Tensor p = Tensor.arange(DType.FLOAT64, 0, 24, 1).reshape(2, 3, 4).permute(2, 0, 1);
        assertEquals(Shape.of(4, 2, 3), p.shape());
        assertEquals(13.0, p.at(1, 1, 0));
        assertEquals(Shape.of(4, 3, 2), p.transpose(1, 2).shape());
        assertEquals(Shape.of(4, 6), p.flatten(1).shape());
    }
}
