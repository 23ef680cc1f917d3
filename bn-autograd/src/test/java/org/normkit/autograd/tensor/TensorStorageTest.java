package org.normkit.autograd.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** A tensor's values behind its one storage field: the typed access points, the element operations, sharing. */
class TensorStorageTest {

    @Nested
    class TypedAccess {
        @Test
        void floatDataIsTheWrappedArrayItself() {
            float[] values = {1, 2, 3};
            assertSame(values, Tensor.wrap(values, Shape.of(3)).floatData());
        }

        @Test
        void doubleDataIsTheWrappedArrayItself() {
            double[] values = {1, 2, 3};
            assertSame(values, Tensor.wrap(values, Shape.of(3)).doubleData());
        }

        @Test
        void floatDataOfAFloat64TensorNamesBothDtypesAndTheWayOut() {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Tensor.zeros(DType.FLOAT64, 2).floatData());
            assertEquals("floatData(): this tensor is float64, not float32; call to(DType.FLOAT32) first",
                    e.getMessage());
        }

        @Test
        void doubleDataOfAFloat32TensorNamesBothDtypesAndTheWayOut() {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Tensor.zeros(DType.FLOAT32, 2).doubleData());
            assertEquals("doubleData(): this tensor is float32, not float64; call to(DType.FLOAT64) first",
                    e.getMessage());
        }

        @Test
        void theDtypeFollowsTheStorage() {
            assertEquals(DType.FLOAT32, Tensor.of(new float[] {1}, 1).dtype());
            assertEquals(DType.FLOAT64, Tensor.of(new double[] {1}, 1).dtype());
            assertEquals(DType.FLOAT32, Tensor.zeros(DType.FLOAT32, 2, 2).dtype());
            assertEquals(DType.FLOAT64, Tensor.zeros(DType.FLOAT64, 2, 2).dtype());
        }
    }

    @Nested
    class ElementOperations {
        @Test
        void setRoundsToFloatInAFloat32Tensor() {
            Tensor t = Tensor.zeros(DType.FLOAT32, 1);
            t.set(0, 0.1);
            assertEquals((double) 0.1f, t.get(0));
            Tensor d = Tensor.zeros(DType.FLOAT64, 1);
            d.set(0, 0.1);
            assertEquals(0.1, d.get(0));
        }

        @Test
        void fullFillsEveryElementInEitherDtype() {
            assertArrayEquals(new float[] {0.1f, 0.1f, 0.1f}, Tensor.full(DType.FLOAT32, Shape.of(3), 0.1).floatData());
            assertArrayEquals(new double[] {0.1, 0.1}, Tensor.full(DType.FLOAT64, Shape.of(2), 0.1).doubleData());
        }

        @Test
        void conversionsToArraysAreCopiesInTheAskedType() {
            Tensor f = Tensor.of(new float[] {1.5f, -2}, 2);
            assertArrayEquals(new double[] {1.5, -2}, f.toDoubleArray());
            assertNotSame(f.floatData(), f.toFloatArray());
            Tensor d = Tensor.of(new double[] {0.1, 3}, 2);
            assertArrayEquals(new float[] {0.1f, 3}, d.toFloatArray());
            assertNotSame(d.doubleData(), d.toDoubleArray());
        }

        @Test
        void copyFromConvertsBetweenDtypesInBothDirections() {
            Tensor f = Tensor.zeros(DType.FLOAT32, 2);
            f.copyFrom(Tensor.of(new double[] {0.1, 2}, 2));
            assertArrayEquals(new float[] {0.1f, 2}, f.floatData());
            Tensor d = Tensor.zeros(DType.FLOAT64, 2);
            d.copyFrom(Tensor.of(new float[] {0.1f, 2}, 2));
            assertArrayEquals(new double[] {0.1f, 2}, d.doubleData());
            Tensor same = Tensor.zeros(DType.FLOAT64, 2);
            same.copyFrom(Tensor.of(new double[] {0.1, 2}, 2));
            assertArrayEquals(new double[] {0.1, 2}, same.doubleData());
        }

        @Test
        void aCopyOwnsItsValues() {
            Tensor t = Tensor.of(new float[] {1, 2}, 2);
            Tensor c = t.copy();
            t.set(0, 5);
            assertEquals(1, c.get(0));
            assertEquals(DType.FLOAT32, c.dtype());
        }
    }

    @Nested
    class Sharing {
        @Test
        void viewsAndDetachedTensorsShareTheStorage() {
            Tensor t = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
            Tensor view = t.viewAs(Shape.of(4));
            Tensor detached = t.detach();
            t.set(3, 9);
            assertEquals(9, view.get(3));
            assertEquals(9, detached.at(1, 1));
            assertSame(t.doubleData(), view.doubleData());
        }

        @Test
        void aWrappedArrayMustFillTheShape() {
            ShapeException e = assertThrows(ShapeException.class, () -> Tensor.wrap(new float[3], Shape.of(2, 2)));
            assertEquals("data of length 3 does not fill shape " + Shape.of(2, 2) + " (4 elements)", e.getMessage());
        }
    }
}
