package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.batch.BatchNorm;

/**
 * Surefire runs with {@code --add-modules=jdk.incubator.vector}; a user's JVM may lack it. A child JVM without the
 * module runs a float32 BatchNorm forward and backward on the fused face: the kernels must fall back to their
 * scalar loops rather than fail to load {@link VectorReductions}, and agree with this JVM's vector loops.
 */
class WithoutVectorModuleTest {

    /** Run in both JVMs: prints Σ y·w and Σ dx·v for a fixed input, to 9 significant digits. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println(Elements.VECTOR_API + " " + result());
        }

        static String result() {
            NormLayer layer = new BatchNorm().create("batch_norm2d", NormSpec.of(3));
            layer.setFace(Face.FUSED);
            Tensor x = Tensor.randn(DType.FLOAT32, Shape.of(4, 3, 5, 7), 1).requiresGrad(true);
            Tensor w = Tensor.randn(DType.FLOAT32, Shape.of(4, 3, 5, 7), 2);
            Tensor y = layer.forward(x);
            y.mul(w).sum().backward();
            return String.format(java.util.Locale.ROOT, "%.9g %.9g", y.mul(w).sum().item(),
                    x.grad().mul(w).sum().item());
        }
    }

    @Test
    void float32KernelsFallBackToScalarLoopsAndAgree() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName())
                .start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), "child JVM failed: " + err);
        String[] scalar = out.split(" ");
        assertEquals("false", scalar[0], "the child JVM has the Vector API module");
        String[] vector = Child.result().split(" ");
        for (int i = 0; i < 2; i++) {
            double s = Double.parseDouble(scalar[i + 1]);
            double v = Double.parseDouble(vector[i]);
            assertEquals(s, v, 1e-5 * Math.max(1, Math.abs(s)), "scalar " + s + ", vector " + v);
        }
    }
}
