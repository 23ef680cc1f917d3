package org.normkit.autograd.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.Tensor;

class FusedOpTest {

    private static Tensor leaf(double... values) {
        return Tensor.of(values, values.length).requiresGrad(true);
    }

    /** y = a·x + b as a "fused" op (values computed outside the graph); b optional. */
    private static Tensor scaleAndShift(Tensor x, Tensor a, Tensor b, List<boolean[]> asked, boolean differentiable) {
        Tensor out = x.detach().mul(a.detach());
        if (b != null) {
            out = out.add(b.detach());
        }
        return FusedOp.record("scaleAndShift", out.detach(), new Tensor[] {x, a, b}, (g, needs) -> {
            asked.add(needs.clone());
            return new Tensor[] {g.detach().mul(a.detach()), g.detach().mul(x.detach()), g.detach()};
        }, differentiable ? (g, needs) -> new Tensor[] {g.mul(a), g.mul(x), g} : null);
    }

    @Test
    void anAbsentInputIsNotRecordedAndTheBackwardsSeeTheCallersPositions() {
        Tensor x = leaf(1, 2);
        Tensor a = leaf(3, 4);
        List<boolean[]> asked = new ArrayList<>();
        Tensor y = scaleAndShift(x, a, null, asked, true);
        assertEquals(2, y.creator().inputs().size());
        y.sum().backward();
        assertArrayEquals(new boolean[] {true, true, false}, asked.get(0));
        assertArrayEquals(new double[] {3, 4}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 2}, a.grad().toDoubleArray());
    }

    @Test
    void aPassThatBuildsAGraphRunsTheDifferentiableBackward() {
        Tensor x = leaf(1, 2);
        Tensor a = leaf(3, 4);
        Tensor b = leaf(0, 0);
        List<boolean[]> asked = new ArrayList<>();
        Tensor gx = Backprop.grad(scaleAndShift(x, a, b, asked, true).sum(), new Tensor[] {x}, true)[0];
        // ∂y/∂x = a, so Σ ∂y/∂x differentiated with respect to a is 1 for each entry.
        assertArrayEquals(new double[] {1, 1}, Backprop.grad(gx.sum(), new Tensor[] {a}, false)[0].toDoubleArray());
        assertEquals(List.of(), asked);
    }

    @Test
    void withoutADifferentiableBackwardASecondOrderPassIsRefusedNamingTheOp() {
        Tensor x = leaf(1, 2);
        Tensor a = leaf(3, 4);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Backprop.grad(scaleAndShift(x, a, null, new ArrayList<>(), false).sum(), new Tensor[] {x}, true));
        assertTrue(e.getMessage().startsWith("op 'scaleAndShift' has no differentiable backward"), e.getMessage());
    }
}
