package org.normkit.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.Dataset;
import org.normkit.experiments.data.SyntheticImages;
import org.normkit.experiments.train.ImpossiblePairingException;
import org.normkit.experiments.train.Nets;
import org.normkit.experiments.train.NormSlot;
import org.normkit.experiments.train.Optimizers;

/**
 * The training step a {@link TrainingStepBenchmark} times, put together once per trial: an experiment net built by
 * {@link Nets#build} with its norm slots filled by a {@link NormSlot} (exactly as {@code normkit experiment} builds
 * it), the experiments' default optimizer for that net, and one batch of 128 images.
 *
 * <p>One step is what PyTorch's reference script times ({@code scripts/pytorch/train_reference.py}): zero the
 * gradients, forward, cross-entropy, backward, optimizer step. Every norm in the net runs on the chosen face, through
 * an {@link Face#scope}. The optimizers are the experiments' defaults ({@link Optimizers}): Adam at 1e-3
 * with PyTorch's betas and eps for {@code mlp}; plain SGD for {@code lenet}, at 1.0 with norms and 0.9 without. The learning rate does not change the cost of a step; the optimizer does (Adam keeps two moments).
 *
 * <p>The batch is the first 128 of a fixed synthetic set ({@link SyntheticImages}: 28×28 pixels in [0, 1], ten
 * balanced classes), so the step needs no data files and the data path is not what is timed. The same batch is
 * used for every step.
 */
public final class TrainingWorkload {
    /** The batch size of the experiments and of the PyTorch reference figures. */
    public static final int BATCH = 128;
    /** The norm name that leaves the net's slots empty. */
    public static final String NONE = NormSlot.NONE;
    private static final long SEED = 20261123L;

    private final Module model;
    private final Optimizer optimizer;
    private final Tensor images;
    private final int[] labels;
    private final Face mode;

    private TrainingWorkload(Module model, Optimizer optimizer, Tensor images, int[] labels, Face mode) {
        this.model = model;
        this.optimizer = optimizer;
        this.images = images;
        this.labels = labels;
        this.mode = mode;
    }

    /**
     * The net {@code net} with {@code norm} (a registered name or {@code none}) in its slots, every norm on
     * {@code face}, in training mode.
     *
     * @throws ImpossiblePairingException when the norm cannot normalise an activation of the net
     * @throws NormWorkload.NoFusedFaceException when face is fused and a norm of the net has no fused face
     */
    public static TrainingWorkload build(NormRegistry registry, String net, String norm, Face face) {
        Module model = Nets.build(net, new NormSlot(registry, norm), 0.0, new SplittableRandom(SEED));
        if (face == Face.FUSED) {
            for (Normalization layer : normsIn(model)) {
                if (layer.fused().isEmpty()) {
                    throw new NormWorkload.NoFusedFaceException(norm);
                }
            }
        }
        model.train();
        Dataset data = SyntheticImages.generate(BATCH, 1, SEED).train();
        Tensor images = Tensor.wrap(data.images(), Shape.of(BATCH, 1, data.height(), data.width()));
        Face mode = face == Face.FUSED ? Face.FUSED : Face.REFERENCE;
        return new TrainingWorkload(model, optimizerFor(net, norm, model), images, data.labels(), mode);
    }

    /** Why {@code (net, norm, face)} cannot run, or empty when it can; builds the net once to find out. */
    public static Optional<String> unavailable(NormRegistry registry, String net, String norm, Face face) {
        try {
            build(registry, net, norm, face);
            return Optional.empty();
        } catch (ImpossiblePairingException | NormWorkload.NoFusedFaceException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** One training step; returns the loss (of the batch before the update), so the JIT cannot drop the work. */
    public Tensor step() {
        try (Face.Scope ignored = Face.scope(mode)) {
            optimizer.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(images), labels);
            loss.backward();
            optimizer.step();
            return loss;
        }
    }

    private static Optimizer optimizerFor(String net, String norm, Module model) {
        String name = Optimizers.defaultFor(net);
        return Optimizers.create(name, model.parameters(), Optimizers.defaultLr(name, norm), 0.0);
    }

    /** The normalization layers of a net, in order. */
    static List<Normalization> normsIn(Module module) {
        List<Normalization> found = new ArrayList<>();
        if (module instanceof Normalization n) {
            found.add(n);
        }
        for (Module child : module.children().values()) {
            found.addAll(normsIn(child));
        }
        return found;
    }
}
