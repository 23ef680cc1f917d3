package org.normkit.variants.readme;

// README:begin "Use normkit from Java" (README.md shows the lines below; ReadmeExampleTest keeps both equal)
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.nn.ReLU;
import org.normkit.autograd.nn.Sequential;
import org.normkit.autograd.nn.StateDicts;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.optim.Adam;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.batch.BatchNorm;

public final class UseNormkitFromJava {

    /** A small MLP with a BatchNorm: 20 features in, 3 classes out. */
    static Sequential newNet(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new Sequential(new Linear(20, 32, random), new BatchNorm().create(NormSpec.of(32)), new ReLU(),
                new Linear(32, 3, random));
    }

    /** Trains a few steps, switches to eval, saves and reloads; returns {first loss, last loss, reload error}. */
    static double[] run(Path checkpoint) {
        Tensor x = Tensor.randn(DType.FLOAT32, Shape.of(64, 20), 1);
        int[] labels = new int[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = x.at(i, 0) > 0 ? (x.at(i, 1) > 0 ? 2 : 1) : 0;   // a toy rule to learn
        }
        Sequential net = newNet(0);
        Adam optimizer = new Adam(net.parameters(), 1e-2);
        double firstLoss = 0;
        double lastLoss = 0;
        for (int step = 0; step < 30; step++) {
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(net.forward(x), labels);   // training mode: batch statistics
            loss.backward();
            optimizer.step();
            firstLoss = step == 0 ? loss.item() : firstLoss;
            lastLoss = loss.item();
        }
        net.eval();                                  // BatchNorm now uses its running statistics
        StateDicts.save(net, checkpoint);            // weights, biases, running_mean, running_var, ...

        Sequential restored = newNet(42);            // same architecture, other initial weights
        StateDicts.load(restored, checkpoint);
        restored.eval();
        Tensor a = net.forward(x);
        Tensor b = restored.forward(x);
        double reloadError = 0;
        for (int i = 0; i < a.numel(); i++) {
            reloadError = Math.max(reloadError, Math.abs(a.get(i) - b.get(i)));
        }
        return new double[] {firstLoss, lastLoss, reloadError};
    }

    public static void main(String[] args) throws Exception {
        double[] result = run(Files.createTempFile("normkit-mlp", ".state"));
        System.out.printf("loss %.3f -> %.3f; the reloaded net differs by %.1e%n", result[0], result[1], result[2]);
    }
}
// README:end
