package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.ops.Attention;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * Surefire runs every test with {@code --add-modules=jdk.incubator.vector}; a user's JVM may lack it. This starts a
 * JVM without the module and checks that the float32 kernels that would use the Vector API (exp, sigmoid, the
 * comparison and where of a ReLU, the attention's per-head products) fall back to scalar loops
 * instead of failing to load, and that netlib falls back to a Java BLAS only if the native one is absent.
 */
class WithoutVectorModuleTest {

    /** Run in the child JVM: prints exp, sigmoid, a small conv result and a ReLU's sum, then the BLAS in use. */
    public static final class Child {
        public static void main(String[] args) {
            Tensor x = Tensor.of(new float[] {-1f, 0.5f, 3f}, 3);
            Tensor image = Tensor.ones(DType.FLOAT32, 1, 1, 3, 3);
            System.out.println(x.exp().get(2) + " " + x.sigmoid().get(0) + " "
                    + image.conv2d(Tensor.ones(DType.FLOAT32, 1, 1, 2, 2), null, 1, 0).sum().item() + " "
                    + x.relu().sum().item());
            System.out.println(Gemm.implementation());
            Tensor qkv = Tensor.arange(DType.FLOAT32, 0, 2 * 5 * 3 * 8, 1).mul(0.01).reshape(2, 5, 3 * 8);
            System.out.println(Attention.selfAttention(qkv, 2, null).sum().item() + " "
                    + Attention.composed(qkv, 2, null).sum().item());
        }
    }

    @Test
    void float32KernelsFallBackToScalarLoops() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName())
                .redirectErrorStream(false).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), "child JVM failed: " + err);
        List<String> lines = out.lines().toList();
        String[] values = lines.get(0).split(" ");
        assertEquals((float) Math.exp(3), Float.parseFloat(values[0]));
        assertEquals((float) (1 / (1 + Math.exp(1))), Float.parseFloat(values[1]));
        assertEquals(16.0, Double.parseDouble(values[2]));
        assertEquals(3.5, Double.parseDouble(values[3]));
        assertTrue(List.of("JNIBLAS", "Java11BLAS").contains(lines.get(1)), "BLAS without the module: " + lines.get(1));
        String[] attention = lines.get(2).split(" ");
        assertEquals(Double.parseDouble(attention[1]), Double.parseDouble(attention[0]), 1e-4,
                "the fused attention against its composition without the module");
    }
}
