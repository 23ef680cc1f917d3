package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The kernels' Vector API loops keep every vector inside the method that makes it: no method of {@link VectorLoops}
 * or {@link VectorReductions} (lambdas included) takes or returns a vector. A small helper that does (a
 * {@code load(float[], int)} returning a widened {@code DoubleVector}, a {@code widenHalf(FloatVector, int)}) is
 * called often enough by the loops before they are compiled to be compiled on its own, into more code than C2 inlines
 * into a later compilation ("already compiled into a big method"); a loop compiled after it then calls it and boxes
 * a vector per call, which made the same kernel call fast in some JVMs and slow in others (docs/performance.md,
 * "Twelfth pass"). The bits such a rewrite must keep are held by {@code VectorLoopGatesTest},
 * {@code AffineStripsTest} and {@code RowsForwardWalkTest}.
 */
class VectorHelpersTest {
    @Test
    void noKernelLoopTakesOrReturnsAVector() throws ClassNotFoundException {
        assertTrue(Elements.VECTOR_API, "surefire runs with the Vector API module");
        Class<?> vector = Class.forName("jdk.incubator.vector.Vector");
        List<String> found = new ArrayList<>();
        int methods = 0;
        for (Class<?> loops : List.of(VectorLoops.class, VectorReductions.class)) {
            for (Method m : loops.getDeclaredMethods()) {
                methods++;
                if (vector.isAssignableFrom(m.getReturnType())) {
                    found.add(loops.getSimpleName() + "." + m.getName() + " returns " + m.getReturnType().getSimpleName());
                }
                for (Class<?> p : m.getParameterTypes()) {
                    if (vector.isAssignableFrom(p)) {
                        found.add(loops.getSimpleName() + "." + m.getName() + " takes a " + p.getSimpleName());
                    }
                }
            }
        }
        assertTrue(methods > 20, "the loops' methods were found: " + methods);
        assertEquals(List.of(), found, "write the vector work out in the loop instead of a helper");
    }
}
