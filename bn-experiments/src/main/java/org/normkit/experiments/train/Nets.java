package org.normkit.experiments.train;

import java.util.List;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.AvgPool2d;
import org.normkit.autograd.nn.Conv2d;
import org.normkit.autograd.nn.Dropout;
import org.normkit.autograd.nn.Flatten;
import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.ReLU;
import org.normkit.autograd.nn.Sequential;
import org.normkit.autograd.nn.Sigmoid;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;

/**
 * The experiment networks, each with normalization slots filled by a {@link NormSlot}. Activation shapes at the
 * slots are written out here (with a batch of 2 standing for N) because the norm's spec is derived from them.
 *
 * <ul>
 *   <li>{@code mlp}: Flatten → Linear(784, 256) → norm → ReLU → [Dropout] → Linear(256, 10), the seeds' network.</li>
 *   <li>{@code lenet}: LeNet-5 as in Dive into Deep Learning's BatchNorm chapter: conv(1→6, 5) → norm → sigmoid →
 *       avgpool(2) → conv(6→16, 5) → norm → sigmoid → avgpool(2) → flatten → linear(256→120) → norm → sigmoid →
 *       [dropout] → linear(120→84) → norm → sigmoid → [dropout] → linear(84→10).</li>
 *   <li>{@code transformer}, {@code lstm}: the {@link SequenceNets}, reading an image as 28 rows; with
 *       {@link #buildForText} character language models.</li>
 * </ul>
 */
public final class Nets {
    public static final List<String> NAMES = List.of("mlp", "lenet", "transformer", "lstm");
    /** The nets that also model text ({@link SequenceNets}). */
    public static final List<String> SEQUENCE_NETS = List.of("transformer", "lstm");
    private static final int N = 2;

    private Nets() {}

    public static String describe(String net) {
        if (SEQUENCE_NETS.contains(net)) {
            return SequenceNets.describe(net);
        }
        return net.equals("mlp") ? "784-256-norm-ReLU-10" : "LeNet-5 with a norm after each conv/linear layer, sigmoid";
    }

    /** Builds {@code net} with parameters initialised from {@code random} (PyTorch's default initialisation). */
    public static Module build(String net, NormSlot slot, double dropout, SplittableRandom random) {
        return build(net, slot, dropout, DType.FLOAT32, random);
    }

    /**
     * {@link #build} with every layer's tensors of {@code dtype} (the norms' come from {@code slot}); the same draws
     * from {@code random} in either dtype, so float64 holds the unrounded values of the float32 net's.
     */
    public static Module build(String net, NormSlot slot, double dropout, DType dtype, SplittableRandom random) {
        switch (net) {
            case "mlp":
                return mlp(slot, dropout, dtype, random);
            case "lenet":
                return lenet(slot, dropout, dtype, random);
            case "transformer":
            case "lstm":
                return SequenceNets.forImages(net, slot, dtype, random);
            default:
                throw new IllegalArgumentException("unknown net '" + net + "': expected one of " + NAMES);
        }
    }

    /** A sequence net as a character language model over {@code vocabulary} token ids. */
    public static Module buildForText(String net, NormSlot slot, int vocabulary, SplittableRandom random) {
        return buildForText(net, slot, vocabulary, DType.FLOAT32, random);
    }

    /** {@link #buildForText} with every layer's tensors of {@code dtype}. */
    public static Module buildForText(String net, NormSlot slot, int vocabulary, DType dtype,
                                      SplittableRandom random) {
        if (!SEQUENCE_NETS.contains(net)) {
            throw new IllegalArgumentException("--text: net '" + net + "' does not read text; use one of "
                    + SEQUENCE_NETS);
        }
        return SequenceNets.forText(net, slot, vocabulary, dtype, random);
    }

    private static Module mlp(NormSlot slot, double dropout, DType dtype, SplittableRandom random) {
        Sequential s = new Sequential();
        s.add(new Flatten());
        s.add(new Linear(784, 256, true, dtype, random));
        addNorm(s, slot, Shape.of(N, 256), "after linear(784→256) in mlp");
        s.add(new ReLU());
        addDropout(s, dropout, random);
        s.add(new Linear(256, 10, true, dtype, random));
        return s;
    }

    private static Module lenet(NormSlot slot, double dropout, DType dtype, SplittableRandom random) {
        Sequential s = new Sequential();
        s.add(new Conv2d(1, 6, 5, 1, 0, true, dtype, random));
        addNorm(s, slot, Shape.of(N, 6, 24, 24), "after conv(1→6, 5) in lenet");
        s.add(new Sigmoid());
        s.add(new AvgPool2d(2));
        s.add(new Conv2d(6, 16, 5, 1, 0, true, dtype, random));
        addNorm(s, slot, Shape.of(N, 16, 8, 8), "after conv(6→16, 5) in lenet");
        s.add(new Sigmoid());
        s.add(new AvgPool2d(2));
        s.add(new Flatten());
        s.add(new Linear(256, 120, true, dtype, random));
        addNorm(s, slot, Shape.of(N, 120), "after linear(256→120) in lenet");
        s.add(new Sigmoid());
        addDropout(s, dropout, random);
        s.add(new Linear(120, 84, true, dtype, random));
        addNorm(s, slot, Shape.of(N, 84), "after linear(120→84) in lenet");
        s.add(new Sigmoid());
        addDropout(s, dropout, random);
        s.add(new Linear(84, 10, true, dtype, random));
        return s;
    }

    private static void addNorm(Sequential s, NormSlot slot, Shape activation, String where) {
        Module norm = slot.create(activation, where);
        if (norm != null) {
            s.add(norm);
        }
    }

    private static void addDropout(Sequential s, double p, SplittableRandom random) {
        if (p > 0) {
            s.add(new Dropout(p, random.nextLong()));
        }
    }
}
