package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.autograd.parallel.PassRates;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Each pass's estimate reads its own rate: the pass, the layout (channels or rows) and the dtype each pick the key in
 * the rates file, and the estimate is that rate times the elements. A swapped key would send calls to the wrong side
 * of the split without any kernel test noticing, since splitting never changes the bits.
 */
class KernelPassRateLookupTest {
    private static final Layout CHANNELS = Layout.channels(8, 256, 196);
    private static final Layout ROWS = Layout.rows(4096, 768);

    @Test
    void keysNameThePassTheLayoutAndTheDtypeAsTheRatesFileDoes() {
        assertEquals("forward.channels.float32", KernelPass.FORWARD.key("channels", "float32"));
        assertEquals("moments.rows.float64", KernelPass.MOMENTS.key("rows", "float64"));
    }

    @ParameterizedTest
    @EnumSource(KernelPass.class)
    void theEstimateIsTheRateOfItsLayoutAndDtypeTimesTheElements(KernelPass pass) {
        long elements = 1_000_003;
        assertEquals(PassRates.nanosPerElement(pass.key("channels", "float32")) * elements,
                pass.nanos(CHANNELS, DType.FLOAT32, elements), 0.0);
        assertEquals(PassRates.nanosPerElement(pass.key("channels", "float64")) * elements,
                pass.nanos(CHANNELS, DType.FLOAT64, elements), 0.0);
        assertEquals(PassRates.nanosPerElement(pass.key("rows", "float32")) * elements,
                pass.nanos(ROWS, DType.FLOAT32, elements), 0.0);
        assertEquals(PassRates.nanosPerElement(pass.key("rows", "float64")) * elements,
                pass.nanos(ROWS, DType.FLOAT64, elements), 0.0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void anInputsEstimateCountsItsElementsInItsDtype(DType dtype) {
        Tensor x = Tensor.zeros(dtype, Shape.of(3, 5, 7));
        Layout layout = Layout.channels(3, 5, 7);
        assertEquals(KernelPass.BACKWARD.nanos(layout, dtype, 105), KernelPass.BACKWARD.nanos(layout, x), 0.0);
    }
}
