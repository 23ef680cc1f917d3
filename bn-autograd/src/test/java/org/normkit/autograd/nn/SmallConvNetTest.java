package org.normkit.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.optim.Adam;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** Convolution, pooling, linear layers and Adam together: a tiny LeNet learns to tell horizontal from vertical bars. */
class SmallConvNetTest {

    /** 8×8 images with one bright row (class 0) or column (class 1) at a random place, plus noise. */
    private static Tensor bars(int n, int[] labels, SplittableRandom random) {
        float[] pixels = new float[n * 64];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(2);
            int line = random.nextInt(8);
            for (int p = 0; p < 64; p++) {
                boolean on = labels[i] == 0 ? p / 8 == line : p % 8 == line;
                pixels[i * 64 + p] = (on ? 1f : 0f) + (float) (0.1 * random.nextGaussian());
            }
        }
        return Tensor.wrap(pixels, Shape.of(n, 1, 8, 8));
    }

    @Test
    void aTinyLeNetLearnsBarOrientation() {
        SplittableRandom random = new SplittableRandom(5);
        Sequential net = new Sequential(new Conv2d(1, 4, 3, 1, 1, random), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 8, 3, random), new Sigmoid(), new AvgPool2d(2), new Flatten(), new Linear(8, 2, random));
        Adam adam = new Adam(net.parameters(), 0.02);
        int[] labels = new int[64];
        for (int step = 0; step < 60; step++) {
            Tensor x = bars(64, labels, random);
            adam.zeroGrad();
            Losses.crossEntropy(net.forward(x), labels).backward();
            adam.step();
        }
        int[] testLabels = new int[200];
        Tensor test = bars(200, testLabels, random);
        net.eval();
        int correct = 0;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor scores = net.forward(test);
            for (int i = 0; i < 200; i++) {
                int predicted = scores.at(i, 1) > scores.at(i, 0) ? 1 : 0;
                correct += predicted == testLabels[i] ? 1 : 0;
            }
        }
        assertTrue(correct >= 190, "accuracy " + correct + "/200");
        assertTrue(net.parameters().stream().allMatch(p -> p.value().dtype() == DType.FLOAT32));
    }
}
