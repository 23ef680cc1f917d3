package org.normkit.core.kernel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.tensor.DType;

/**
 * The scalar loops of {@link Elements}, which a JVM without the Vector API module runs, against the formulas, in
 * this JVM: every case of {@link NormKernelTest#layouts} (runs with tails of every length modulo four, loops
 * across channels, γ per element), both dtypes, batch and constant statistics. {@link WithoutVectorModuleTest} runs
 * them in a child JVM without the module, which mutation testing cannot see.
 */
class ScalarLoopsTest {
    private boolean vectorApi;

    @BeforeEach
    void useTheScalarLoops() {
        vectorApi = Elements.VECTOR_API;
        Elements.VECTOR_API = false;
    }

    @AfterEach
    void restoreTheJvmsChoice() {
        Elements.VECTOR_API = vectorApi;
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("org.normkit.core.kernel.NormKernelTest#layouts")
    void forwardAndBackwardMatchTheFormulas(Layout layout, Centering centering, DType dtype, KernelCases.Use use) {
        KernelCases.checkAgainstOracle(layout, centering, dtype, use);
    }
}
