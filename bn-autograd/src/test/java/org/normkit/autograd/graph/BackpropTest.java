package org.normkit.autograd.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

class BackpropTest {

    private static Tensor leaf(double... values) {
        return Tensor.of(values, values.length).requiresGrad(true);
    }

    @Nested
    class Errors {
        @Test
        void backwardOnANonScalarWithoutAGradientNamesTheOpAndShape() {
            Tensor y = leaf(1, 2, 3).mul(Tensor.scalar(2, DType.FLOAT64));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
            assertTrue(e.getMessage().startsWith("backward() without a gradient needs a one-element output, but the "
                    + "output of op 'mul' has shape (3)"), e.getMessage());
            assertTrue(e.getMessage().contains("y.backward(y.onesLike())"), e.getMessage());
        }

        @Test
        void aSecondBackwardThroughAFreedGraphNamesTheOpAndTheFix() {
            Tensor x = leaf(1, 2);
            Tensor loss = x.exp().sum();
            loss.backward();
            IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(e.getMessage().startsWith("backward through op 'sum' a second time"), e.getMessage());
            assertTrue(e.getMessage().contains("backward(grad, true)"), e.getMessage());
        }

        @Test
        void retainingTheGraphAllowsASecondBackwardThatAccumulates() {
            Tensor x = leaf(1, 2);
            Tensor loss = x.mul(x).sum();
            loss.backward(loss.onesLike(), true);
            loss.backward();
            assertArrayEquals(new double[] {4, 8}, x.grad().toDoubleArray());
        }

        @Test
        void incompatibleShapesNameTheOpAndBothShapes() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> Tensor.zeros(DType.FLOAT32, 2, 3).add(Tensor.zeros(DType.FLOAT32, 4)));
            assertTrue(e.getMessage().startsWith("add: shapes (2, 3) and (4) do not broadcast"), e.getMessage());
            ShapeException m = assertThrows(ShapeException.class,
                    () -> Tensor.zeros(DType.FLOAT32, 2, 3).matmul(Tensor.zeros(DType.FLOAT32, 4, 5)));
            assertTrue(m.getMessage().startsWith("matmul: shapes (2, 3) and (4, 5) cannot be multiplied"), m.getMessage());
        }

        @Test
        void aGradientOfTheWrongShapeIsRejected() {
            Tensor y = leaf(1, 2, 3).exp();
            ShapeException e = assertThrows(ShapeException.class, () -> y.backward(Tensor.ones(DType.FLOAT64, 2)));
            assertTrue(e.getMessage().startsWith("backward of op 'exp': the gradient passed has shape (2) but (3)"),
                    e.getMessage());
        }

        @Test
        void backwardWithoutAnyGraphSaysHowToGetOne() {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Tensor.of(new double[] {1}, 1).exp().sum().backward());
            assertTrue(e.getMessage().contains("does not require a gradient"), e.getMessage());
        }
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = leaf(1, 2, 3);
        Tensor y;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            y = x.mul(x).sum();
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertNull(y.creator());
        assertFalse(y.requiresGrad());
        assertEquals(14, y.item());
    }

    @Test
    void fanOutAccumulatesEveryUse() {
        Tensor x = leaf(2, 3);
        // y = x·x + 3x + exp(x): three uses of x, two of them through the same op.
        x.mul(x).add(x.mul(Tensor.scalar(3, DType.FLOAT64))).add(x.exp()).sum().backward();
        assertArrayEquals(new double[] {2 * 2 + 3 + Math.exp(2), 2 * 3 + 3 + Math.exp(3)}, x.grad().toDoubleArray(),
                1e-12);
    }

    /**
     * The sweep adds the third and later gradients that reach one tensor into the sum it made of the first two, in
     * place: the sums it holds alone, never a gradient a backward function returned (which may also be another
     * input's).
     */
    @Nested
    class GradientSums {
        @Test
        void gradientsSummedInPlaceHaveTheBitsOfFreshSumsInTheSameOrder() {
            // One weight used at 24 steps, as an LSTM's; float32 sums of random terms, whose order shows in the bits.
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            for (DType dtype : DType.values()) {
                Tensor w = Tensor.uniform(dtype, Shape.of(37), -1, 1, random).requiresGrad(true);
                Tensor loss = null;
                for (int t = 0; t < 24; t++) {
                    Tensor x = Tensor.uniform(dtype, Shape.of(37), -3, 3, random);
                    Tensor c = Tensor.uniform(dtype, Shape.of(37), -3, 3, random);
                    Tensor step = w.mul(x).mul(c).sum();
                    loss = loss == null ? step : loss.add(step);
                }
                // First order sums in place; a backward that builds a graph records a fresh sum for every term.
                Tensor inPlace = Backprop.grad(new Tensor[] {loss}, new Tensor[] {w}, null, true, false, false)[0];
                Tensor fresh = Backprop.grad(new Tensor[] {loss}, new Tensor[] {w}, null, true, true, false)[0];
                assertArrayEquals(fresh.toDoubleArray(), inPlace.toDoubleArray(), 0.0, dtype.toString());
            }
        }

        @Test
        void aGradientThatIsAlsoAnotherInputsIsNeverAddedInto() {
            // add's backward hands one tensor to both of its inputs. The sweep runs from the last term back: a gets
            // that tensor from (a + b)·c first, then d and e; b, used first, gets m last. a's later gradients must
            // not land in the tensor b holds.
            Tensor a = leaf(1, 2, 3);
            Tensor b = leaf(4, 5, 6);
            Tensor c = Tensor.of(new double[] {2, 3, 5}, 3);
            Tensor d = Tensor.of(new double[] {7, 11, 13}, 3);
            Tensor e = Tensor.of(new double[] {17, 19, 23}, 3);
            Tensor m = Tensor.of(new double[] {29, 31, 37}, 3);
            b.mul(m).sum().add(a.mul(d).sum()).add(a.mul(e).sum()).add(a.add(b).mul(c).sum()).backward();
            assertArrayEquals(new double[] {2 + 7 + 17, 3 + 11 + 19, 5 + 13 + 23}, a.grad().toDoubleArray());
            assertArrayEquals(new double[] {2 + 29, 3 + 31, 5 + 37}, b.grad().toDoubleArray());
        }
    }

    @Test
    void leafGradientsAccumulateAcrossBackwardCalls() {
        Tensor x = leaf(1, 2);
        x.mul(x).sum().backward();
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {4, 8}, x.grad().toDoubleArray());
    }

    @Test
    void aConstantInputGetsNoGradientAndItsGradientIsNeverComputed() {
        Tensor x = leaf(1, 2);
        Tensor constant = Tensor.of(new double[] {3, 4}, 2);
        List<boolean[]> asked = new ArrayList<>();
        Tensor out = Node.record(x.mul(constant).detach(), "probe", (g, needs) -> {
            asked.add(needs.clone());
            return new Tensor[] {g, needs[1] ? g : null};
        }, x, constant);
        out.sum().backward();
        assertArrayEquals(new boolean[] {true, false}, asked.get(0));
        assertNull(constant.grad());
        assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray());
    }

    @Test
    void unneededConvolutionAndProductGradientsStayNull() {
        Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(1, 2, 5, 5), 1);
        Tensor w = Tensor.randn(DType.FLOAT64, Shape.of(3, 2, 3, 3), 2).requiresGrad(true);
        Tensor a = Tensor.randn(DType.FLOAT64, Shape.of(2, 3), 3).requiresGrad(true);
        Tensor b = Tensor.randn(DType.FLOAT64, Shape.of(3, 2), 4);
        x.conv2d(w, null, 1, 1).sum().add(a.matmul(b).sum()).backward();
        assertNull(x.grad());
        assertNull(b.grad());
        assertEquals(w.shape(), w.grad().shape());
        assertEquals(a.shape(), a.grad().shape());
    }

    @Test
    void aTwentyThousandOpChainBackpropsWithoutOverflowingTheStack() throws InterruptedException {
        Tensor x = leaf(1.0);
        Throwable[] failure = new Throwable[1];
        // A small stack (surefire's argLine sets a large default) makes any recursion over the graph fail here.
        Thread small = new Thread(null, () -> {
            try {
                Tensor y = x;
                Tensor step = Tensor.scalar(1.0001, DType.FLOAT64);
                for (int i = 0; i < 20_000; i++) {
                    y = y.mul(step);
                }
                y.sum().backward();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();
        assertNull(failure[0], () -> "backward failed: " + failure[0]);
        assertEquals(Math.pow(1.0001, 20_000), x.grad().item(), 1e-9);
    }

    @Test
    void gradientsKeepEachInputsDtype() {
        Tensor x32 = Tensor.randn(DType.FLOAT32, Shape.of(3), 1).requiresGrad(true);
        Tensor x64 = Tensor.randn(DType.FLOAT64, Shape.of(3), 2).requiresGrad(true);
        Tensor y = x32.mul(x64);
        assertEquals(DType.FLOAT64, y.dtype());
        y.sum().backward();
        assertEquals(DType.FLOAT32, x32.grad().dtype());
        assertEquals(DType.FLOAT64, x64.grad().dtype());
    }

    @Test
    void aGradientOfAnotherDtypeFromACustomBackwardIsSummedInTheTensorsOwnDtype() {
        // A backward function (a plugin's op) may hand back its input's gradient in another dtype; it is converted
        // before it meets the tensor's other gradients, whichever of them the sweep reaches first.
        for (boolean customFirst : new boolean[] {true, false}) {
            Tensor x = Tensor.of(new double[] {0.5, -1.25, 2}, 3).to(DType.FLOAT32).requiresGrad(true);
            Tensor probe = Node.record(x.detach().copy(), "probe", (g, needs) -> new Tensor[] {g.to(DType.FLOAT64)}, x);
            Tensor twice = x.mul(Tensor.scalar(2, DType.FLOAT32)).sum();
            (customFirst ? twice.add(probe.sum()) : probe.sum().add(twice)).backward();
            assertEquals(DType.FLOAT32, x.grad().dtype(), "custom first: " + customFirst);
            assertArrayEquals(new double[] {3, 3, 3}, x.grad().toDoubleArray(), "custom first: " + customFirst);
        }
    }

    @Test
    void aLeafWhoseGradientWasSetInAnotherDtypeAddsTheBackwardsGradientInThatDtype() {
        // Optimizers take a gradient of another dtype than the parameter (UpdateFormulasTest); backward adds into
        // whatever the leaf holds.
        Tensor x = Tensor.of(new double[] {1, 2}, 2).to(DType.FLOAT32).requiresGrad(true);
        x.setGrad(Tensor.of(new double[] {0.1, 0.2}, 2));
        x.mul(x).sum().backward();
        assertEquals(DType.FLOAT64, x.grad().dtype());
        assertArrayEquals(new double[] {2.1, 4.2}, x.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void reshapeSharesStorageButKeepsItsOwnNode() {
        Tensor x = leaf(1, 2, 3, 4);
        Tensor r = x.reshape(2, 2);
        assertSame(x.doubleData(), r.doubleData());
        assertEquals("reshape", r.creator().op());
    }

    @Nested
    class HigherOrder {
        @Test
        void gradReturnsTheGradientAndLeavesEveryGradUntouched() {
            Tensor x = leaf(1, 2);
            Tensor[] g = Backprop.grad(x.mul(x).sum(), new Tensor[] {x}, false);
            assertArrayEquals(new double[] {2, 4}, g[0].toDoubleArray());
            assertNull(x.grad());
        }

        @Test
        void aGradientBuiltWithCreateGraphCanBeDifferentiatedAgain() {
            // d/dx Σ x³ = 3x², and d/dx Σ 3x² = 6x.
            Tensor x = leaf(1, 2);
            Tensor first = Backprop.grad(x.pow(3).sum(), new Tensor[] {x}, true)[0];
            assertTrue(first.requiresGrad());
            first.sum().backward();
            assertArrayEquals(new double[] {6, 12}, x.grad().toDoubleArray(), 1e-12);
        }

        @Test
        void withoutCreateGraphTheGradientHasNoGraph() {
            Tensor x = leaf(1, 2);
            Tensor first = Backprop.grad(x.pow(3).sum(), new Tensor[] {x}, false)[0];
            assertFalse(first.requiresGrad());
        }

        @Test
        void backwardWithCreateGraphLeavesADifferentiableGradAndKeepsTheGraph() {
            Tensor x = leaf(1, 2);
            Tensor loss = x.pow(3).sum();
            loss.backward(null, false, true);
            Tensor penalty = x.grad().square().sum();
            Tensor[] g = Backprop.grad(penalty, new Tensor[] {x}, false);
            // Σ (3x²)² = 9 Σ x⁴, whose derivative is 36x³.
            assertArrayEquals(new double[] {36, 288}, g[0].toDoubleArray(), 1e-9);
            loss.backward();
            assertArrayEquals(new double[] {6, 24}, x.grad().toDoubleArray(), 1e-12);
        }

        @Test
        void theGradientOfAnIntermediateTensorIsReturned() {
            Tensor x = leaf(1, 2);
            Tensor h = x.mul(x);
            Tensor[] g = Backprop.grad(new Tensor[] {h.exp().sum()}, new Tensor[] {h, x}, null, false, false, false);
            assertArrayEquals(new double[] {Math.exp(1), Math.exp(4)}, g[0].toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {2 * Math.exp(1), 4 * Math.exp(4)}, g[1].toDoubleArray(), 1e-9);
        }

        @Test
        void gradientOutputsWeightTheOutputsAndAreDifferentiatedThroughWithCreateGraph() {
            Tensor x = leaf(1, 2);
            Tensor v = leaf(3, 5);
            Tensor[] g = Backprop.grad(new Tensor[] {x.mul(x)}, new Tensor[] {x}, new Tensor[] {v}, false, true, false);
            assertArrayEquals(new double[] {6, 20}, g[0].toDoubleArray(), 1e-12);
            // Σ 2x·v differentiated with respect to v is 2x.
            assertArrayEquals(new double[] {2, 4}, Backprop.grad(g[0].sum(), new Tensor[] {v}, false)[0]
                    .toDoubleArray(), 1e-12);
        }

        @Test
        void anUnusedInputIsAnErrorUnlessAllowed() {
            Tensor x = leaf(1, 2);
            Tensor unused = leaf(3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Backprop.grad(x.sum(), new Tensor[] {x, unused}, false));
            assertTrue(e.getMessage().startsWith("grad(): input 1 of shape (1) is not used"), e.getMessage());
            Tensor[] g = Backprop.grad(new Tensor[] {x.sum()}, new Tensor[] {x, unused}, null, false, false, true);
            assertNull(g[1]);
        }

        @Test
        void anInputThatNeedsNoGradientIsNamed() {
            Tensor x = leaf(1, 2);
            Tensor constant = Tensor.of(new double[] {1}, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Backprop.grad(x.sum(), new Tensor[] {constant}, false));
            assertTrue(e.getMessage().startsWith("grad(): input 0 of shape (1) does not require a gradient"),
                    e.getMessage());
        }

        @Test
        void gradWithoutRetainFreesTheGraphAsBackwardDoes() {
            Tensor x = leaf(1, 2);
            Tensor loss = x.exp().sum();
            Backprop.grad(loss, new Tensor[] {x}, false);
            IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(e.getMessage().startsWith("backward through op 'sum' a second time"), e.getMessage());
        }

        @Test
        void gradOnlyRunsTheNodesThatLeadToItsInputs() {
            Tensor x = leaf(1, 2);
            Tensor other = leaf(3, 4);
            List<String> ran = new ArrayList<>();
            Tensor probe = Node.record(other.detach().copy(), "probe", (g, needs) -> {
                ran.add("probe");
                return new Tensor[] {g};
            }, other);
            Backprop.grad(x.sum().add(probe.sum()), new Tensor[] {x}, false);
            assertEquals(List.of(), ran);
        }
    }
}
