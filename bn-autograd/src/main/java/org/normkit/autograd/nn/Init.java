package org.normkit.autograd.nn;

import java.util.SplittableRandom;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * PyTorch's default initialisation of linear and convolution layers, from a seeded generator so that the same seed
 * gives the same numbers.
 *
 * <p>{@code reset_parameters()} of {@code nn.Linear} and {@code nn.ConvNd} draws the weight with
 * {@code kaiming_uniform_(a=√5)}: gain = √(2 / (1 + a²)) = √(1/3), bound = gain·√3 / √fan_in = 1 / √fan_in; and
 * the bias from U(−1/√fan_in, 1/√fan_in) as well. fan_in is in_features for a linear layer and
 * in_channels·kh·kw for a convolution. Values are drawn in row-major order, the weight before the bias; they are
 * not PyTorch's numbers (a different generator), only the same distribution.
 */
public final class Init {
    private Init() {}

    /** 1/√fan_in: the half-width of both the weight's and the bias's uniform distribution. */
    public static double defaultBound(int fanIn) {
        if (fanIn <= 0) {
            throw new IllegalArgumentException("initialisation needs fan_in >= 1, got " + fanIn
                    + "; a layer with no inputs has nothing to scale by");
        }
        return 1.0 / Math.sqrt(fanIn);
    }

    /** U(−1/√fan_in, 1/√fan_in) values of {@code shape}, drawn from {@code random}. */
    public static Tensor defaultUniform(Shape shape, int fanIn, DType dtype, SplittableRandom random) {
        double bound = defaultBound(fanIn);
        return Tensor.uniform(dtype, shape, -bound, bound, random);
    }
}
