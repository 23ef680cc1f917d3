package org.normkit.autograd.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * The default of the backward that writes ∂L/∂x into a caller's tensor: the fresh backward's values copied into it,
 * and the refusals of a tensor that cannot take them.
 */
class FusedNormIntoBufferTest {

    /** Test-only: ∂L/∂x = 3·g, ∂L/∂γ = g summed, ∂L/∂β = g; only what the mask asks for. */
    private static final class Tripling implements FusedNorm {
        @Override
        public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
            throw new UnsupportedOperationException("only the backward is under test");
        }

        @Override
        public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
            Tensor dx = gradOutput.mul(3.0);
            Tensor dGamma = Tensor.scalar(gradOutput.sum().item(), gradOutput.dtype());
            return new Gradients(mask.input() ? dx : null, mask.weight() ? dGamma : null,
                    mask.bias() ? gradOutput : null);
        }
    }

    private final FusedNorm norm = new Tripling();

    private static Tensor gradient(DType dtype) {
        return Tensor.of(dtype, new double[] {1, -2, 0.5, 4}, org.normkit.autograd.tensor.Shape.of(2, 2));
    }

    private FusedNorm.Gradients intoBuffer(Tensor g, Tensor x, FusedNorm.GradMask mask, Tensor buffer) {
        return norm.backward(g, x, null, null, mask, buffer);
    }

    @Test
    void allAsksForEveryGradient() {
        assertEquals(new FusedNorm.GradMask(true, true, true), FusedNorm.GradMask.all());
    }

    @Nested
    class Writing {
        @Test
        void theInputGradientIsWrittenIntoTheGivenTensorWhichIsReturned() {
            for (DType dtype : DType.values()) {
                Tensor g = gradient(dtype);
                Tensor x = g.zerosLike();
                Tensor buffer = g.zerosLike();

                FusedNorm.Gradients grads = intoBuffer(g, x, FusedNorm.GradMask.all(), buffer);

                assertSame(buffer, grads.input(), dtype.toString());
                assertArrayEquals(new double[] {3, -6, 1.5, 12}, buffer.toDoubleArray(), dtype.toString());
                assertEquals(3.5, grads.weight().item(), dtype.toString());
                assertSame(g, grads.bias(), dtype.toString());
            }
        }

        @Test
        void withoutTheInputGradientTheTensorIsLeftAloneAndNoneIsReturned() {
            Tensor g = gradient(DType.FLOAT64);
            Tensor buffer = Tensor.full(DType.FLOAT64, g.shape(), 7);

            FusedNorm.Gradients grads = intoBuffer(g, g.zerosLike(), new FusedNorm.GradMask(false, true, false),
                    buffer);

            assertNull(grads.input());
            assertEquals(3.5, grads.weight().item());
            assertNull(grads.bias());
            assertArrayEquals(new double[] {7, 7, 7, 7}, buffer.toDoubleArray());
        }

        @Test
        void anOutputGradientOfAnotherDtypeIsNotTakenForTheSameStorage() {
            Tensor g = gradient(DType.FLOAT32);
            Tensor x = Tensor.zeros(DType.FLOAT64, 2, 2);
            Tensor buffer = Tensor.zeros(DType.FLOAT64, 2, 2);

            intoBuffer(g, x, FusedNorm.GradMask.all(), buffer);

            assertArrayEquals(new double[] {3, -6, 1.5, 12}, buffer.toDoubleArray());
        }
    }

    @Nested
    class Refusals {
        @Test
        void aTensorOfAnotherShapeIsRefusedNamingBothShapes() {
            Tensor g = gradient(DType.FLOAT64);
            ShapeException e = assertThrows(ShapeException.class,
                    () -> intoBuffer(g, g.zerosLike(), FusedNorm.GradMask.all(), Tensor.zeros(DType.FLOAT64, 4)));
            assertEquals("fused backward: the input-gradient tensor has shape (4) but (2, 2) was expected",
                    e.getMessage());
        }

        @Test
        void aTensorOfAnotherDtypeIsRefusedWithTheWayOut() {
            Tensor g = gradient(DType.FLOAT64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> intoBuffer(g, g.zerosLike(), FusedNorm.GradMask.all(), Tensor.zeros(DType.FLOAT32, 2, 2)));
            assertEquals("fused backward: the input-gradient tensor is float32 but the input is float64: allocate it "
                    + "with the input's dtype", e.getMessage());
        }

        @Test
        void theInputItselfIsRefusedInBothDtypes() {
            for (DType dtype : DType.values()) {
                Tensor g = gradient(dtype);
                Tensor x = g.zerosLike();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> intoBuffer(g, x, FusedNorm.GradMask.all(), x));
                assertTrue(e.getMessage().startsWith("fused backward: the input-gradient tensor shares its storage "
                        + "with the input, which the backward still reads while it writes"), e.getMessage());
            }
        }

        @Test
        void theOutputGradientIsRefusedInBothDtypes() {
            for (DType dtype : DType.values()) {
                Tensor g = gradient(dtype);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> intoBuffer(g, g.zerosLike(), FusedNorm.GradMask.all(), g));
                assertEquals("fused backward: the input-gradient tensor shares its storage with the output gradient, "
                        + "which the backward still reads while it writes: give it a tensor of its own",
                        e.getMessage());
            }
        }

        @Test
        void aViewOfTheInputSharesItsStorage() {
            Tensor g = gradient(DType.FLOAT64);
            Tensor x = g.zerosLike();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FusedNorm.requireGradInput("my_norm backward", x, g, x.viewAs(x.shape())));
            assertTrue(e.getMessage().startsWith("my_norm backward: the input-gradient tensor shares its storage "
                    + "with the input"), e.getMessage());
        }
    }
}
