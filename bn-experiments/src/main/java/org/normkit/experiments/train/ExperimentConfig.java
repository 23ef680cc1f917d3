package org.normkit.experiments.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.tensor.DType;
import org.normkit.experiments.report.RunConfig;

/**
 * One experiment: a net, the norms to compare in its slots, and the training settings. Learning rate and optimizer
 * default per net as in the seeds: {@code mlp} trains with Adam at 1e-3; {@code lenet} with SGD at 1.0 when it has a
 * norm and 0.9 without (Dive into Deep Learning's BatchNorm chapter).
 *
 * @param norms      registered norm names or {@code none}, each compared once (a name given twice counts once)
 * @param seeds      how many seeds each norm is trained with: seeds 0, 1, …, seeds − 1 (PyTorch's reference script
 *                   spells the same runs {@code --seeds 0,1} for 2)
 * @param data       the folder with the Fashion-MNIST files; empty for the installed copy, or synthetic data
 * @param threads    the kernel thread count the caller set (recorded in the report; results do not depend on it)
 * @param face       which face of each norm runs: the fused kernel, the composed reference, or AUTO (fused when
 *                   the norm has one); a check that the two train alike, not a setting to compare in one folder
 * @param trainLimit use only the first rows of the training set (quick runs, tests); empty for all
 * @param testLimit  use only the first rows of the test set; empty for all
 * @param text       character-level language modelling on this text file or folder instead of images (the
 *                   sequence nets only); empty for images. {@code TextCorpus.DEFAULT_FOLDER} selects the fortunes,
 *                   or the built-in synthetic text when they are not installed
 * @param init       the initialisation of linear and convolution weights ({@link Initialisation})
 * @param lrScaling  {@code none}, or {@code linear}: lr = base × batch size / {@value #LR_REFERENCE_BATCH} (Goyal et
 *                   al. 2017), for batch-size sweeps
 * @param gradPenalty λ of the gradient penalty added to the training loss, λ·‖∂loss/∂input‖² (0 for none); see
 *                   {@link Trainer}
 * @param dtype      the element type of the nets' parameters, activations and norm buffers ({@code --dtype}):
 *                   float32, or float64 to show what float32 rounding alone does to a run (a float64 run starts
 *                   from the float32 run's initial values, widened)
 */
public record ExperimentConfig(String net, List<String> norms, int epochs, int batchSize, OptionalDouble lr,
                               Optional<String> optimizer, double weightDecay, double dropout, int seeds,
                               Optional<Path> data, Path out, int threads, Face face,
                               Optional<Integer> trainLimit, Optional<Integer> testLimit, double gradPenalty,
                               Optional<Path> text, String init, String lrScaling, DType dtype) {
    /** The batch size at which linear scaling leaves the learning rate as given. */
    public static final int LR_REFERENCE_BATCH = RunConfig.LR_REFERENCE_BATCH;

    /** Images, PyTorch's default initialisation, no learning-rate scaling. */
    public ExperimentConfig(String net, List<String> norms, int epochs, int batchSize, OptionalDouble lr,
                            Optional<String> optimizer, double weightDecay, double dropout, int seeds,
                            Optional<Path> data, Path out, int threads, Face face,
                            Optional<Integer> trainLimit, Optional<Integer> testLimit, double gradPenalty) {
        this(net, norms, epochs, batchSize, lr, optimizer, weightDecay, dropout, seeds, data, out, threads, face,
                trainLimit, testLimit, gradPenalty, Optional.empty(), Initialisation.DEFAULT, "none", DType.FLOAT32);
    }

    /** float32. */
    public ExperimentConfig(String net, List<String> norms, int epochs, int batchSize, OptionalDouble lr,
                            Optional<String> optimizer, double weightDecay, double dropout, int seeds,
                            Optional<Path> data, Path out, int threads, Face face,
                            Optional<Integer> trainLimit, Optional<Integer> testLimit, double gradPenalty,
                            Optional<Path> text, String init, String lrScaling) {
        this(net, norms, epochs, batchSize, lr, optimizer, weightDecay, dropout, seeds, data, out, threads, face,
                trainLimit, testLimit, gradPenalty, text, init, lrScaling, DType.FLOAT32);
    }

    public ExperimentConfig {
        if (!Nets.NAMES.contains(net)) {
            throw new IllegalArgumentException("unknown net '" + net + "': expected one of " + Nets.NAMES);
        }
        if (norms.isEmpty()) {
            throw new IllegalArgumentException("--norms is empty: name at least one norm, e.g. none,batch_norm");
        }
        requirePositive("--epochs", epochs);
        requirePositive("--batch-size", batchSize);
        requirePositive("--seeds", seeds);
        requirePositive("--threads", threads);
        if (lr.isPresent() && !(lr.getAsDouble() > 0 && Double.isFinite(lr.getAsDouble()))) {
            throw new IllegalArgumentException("--lr " + lr.getAsDouble() + " is not a learning rate: use a number > 0");
        }
        optimizer.ifPresent(o -> {
            if (!o.equals("sgd") && !o.equals("adam")) {
                throw new IllegalArgumentException("--optimizer " + o + " is unknown: use sgd or adam");
            }
        });
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("--weight-decay " + weightDecay + " must be >= 0");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("--dropout " + dropout + " must be in [0, 1)");
        }
        if (!(gradPenalty >= 0) || Double.isInfinite(gradPenalty)) {
            throw new IllegalArgumentException("--grad-penalty " + gradPenalty + " must be a finite number >= 0 (0 for "
                    + "no penalty)");
        }
        trainLimit.ifPresent(n -> requirePositive("--limit-train", n));
        testLimit.ifPresent(n -> requirePositive("--limit-test", n));
        norms = List.copyOf(new LinkedHashSet<>(norms));
        if (text.isPresent() && !Nets.SEQUENCE_NETS.contains(net)) {
            throw new IllegalArgumentException("--text: net '" + net + "' reads images only; use --net "
                    + String.join(" or --net ", Nets.SEQUENCE_NETS) + " for text");
        }
        if (text.isPresent() && gradPenalty > 0) {
            throw new IllegalArgumentException("--grad-penalty " + gradPenalty + " with --text: the penalty is on the "
                    + "gradient with respect to the input, and a language model's input is token ids; drop one of them");
        }
        Initialisation.requireKnown(init);
        if (!lrScaling.equals("none") && !lrScaling.equals("linear")) {
            throw new IllegalArgumentException("--lr-scaling " + lrScaling + " is unknown: use none or linear");
        }
        if (dtype == null) {
            throw new IllegalArgumentException("--dtype is missing: use float32 or float64");
        }
    }

    /** Without a gradient penalty. */
    public ExperimentConfig(String net, List<String> norms, int epochs, int batchSize, OptionalDouble lr,
                            Optional<String> optimizer, double weightDecay, double dropout, int seeds,
                            Optional<Path> data, Path out, int threads, Face face,
                            Optional<Integer> trainLimit, Optional<Integer> testLimit) {
        this(net, norms, epochs, batchSize, lr, optimizer, weightDecay, dropout, seeds, data, out, threads, face,
                trainLimit, testLimit, 0);
    }

    private static void requirePositive(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " " + value + " must be >= 1");
        }
    }

    /** The optimizer a run with {@code norm} uses. */
    public String optimizerFor(String norm) {
        return optimizer.orElse(Optimizers.defaultFor(net));
    }

    /** The learning rate a run with {@code norm} uses. */
    public double lrFor(String norm) {
        double base = lr.isPresent() ? lr.getAsDouble() : Optimizers.defaultLr(optimizerFor(norm), norm);
        return lrScaling.equals("linear") ? base * batchSize / LR_REFERENCE_BATCH : base;
    }

    public ExperimentConfig withBatchSize(int b) {
        return new ExperimentConfig(net, norms, epochs, b, lr, optimizer, weightDecay, dropout, seeds, data, out,
                threads, face, trainLimit, testLimit, gradPenalty, text, init, lrScaling, dtype);
    }

    public ExperimentConfig withLr(double value) {
        return new ExperimentConfig(net, norms, epochs, batchSize, OptionalDouble.of(value), optimizer, weightDecay,
                dropout, seeds, data, out, threads, face, trainLimit, testLimit, gradPenalty, text, init, lrScaling,
                dtype);
    }

    public ExperimentConfig withNet(String value) {
        return new ExperimentConfig(value, norms, epochs, batchSize, lr, optimizer, weightDecay, dropout, seeds, data,
                out, threads, face, trainLimit, testLimit, gradPenalty, text, init, lrScaling, dtype);
    }

    public ExperimentConfig withNorms(List<String> value) {
        return new ExperimentConfig(net, value, epochs, batchSize, lr, optimizer, weightDecay, dropout, seeds, data,
                out, threads, face, trainLimit, testLimit, gradPenalty, text, init, lrScaling, dtype);
    }

    public ExperimentConfig withOptimizer(String value) {
        return new ExperimentConfig(net, norms, epochs, batchSize, lr, Optional.of(value), weightDecay, dropout, seeds,
                data, out, threads, face, trainLimit, testLimit, gradPenalty, text, init, lrScaling, dtype);
    }

    public ExperimentConfig withWeightDecay(double value) {
        return new ExperimentConfig(net, norms, epochs, batchSize, lr, optimizer, value, dropout, seeds, data, out,
                threads, face, trainLimit, testLimit, gradPenalty, text, init, lrScaling, dtype);
    }

    public ExperimentConfig withDropout(double value) {
        return new ExperimentConfig(net, norms, epochs, batchSize, lr, optimizer, weightDecay, value, seeds, data, out,
                threads, face, trainLimit, testLimit, gradPenalty, text, init, lrScaling, dtype);
    }

    public ExperimentConfig withFace(Face value) {
        return new ExperimentConfig(net, norms, epochs, batchSize, lr, optimizer, weightDecay, dropout, seeds, data,
                out, threads, value, trainLimit, testLimit, gradPenalty, text, init, lrScaling, dtype);
    }

    public ExperimentConfig withGradPenalty(double value) {
        return new ExperimentConfig(net, norms, epochs, batchSize, lr, optimizer, weightDecay, dropout, seeds, data,
                out, threads, face, trainLimit, testLimit, value, text, init, lrScaling, dtype);
    }

    public ExperimentConfig withInit(String value) {
        return new ExperimentConfig(net, norms, epochs, batchSize, lr, optimizer, weightDecay, dropout, seeds, data,
                out, threads, face, trainLimit, testLimit, gradPenalty, text, value, lrScaling, dtype);
    }

    public ExperimentConfig withLrScaling(String value) {
        return new ExperimentConfig(net, norms, epochs, batchSize, lr, optimizer, weightDecay, dropout, seeds, data,
                out, threads, face, trainLimit, testLimit, gradPenalty, text, init, value, dtype);
    }

    public ExperimentConfig withDtype(DType value) {
        return new ExperimentConfig(net, norms, epochs, batchSize, lr, optimizer, weightDecay, dropout, seeds, data,
                out, threads, face, trainLimit, testLimit, gradPenalty, text, init, lrScaling, value);
    }

    /** The settings as report lines. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("net", net + " (" + Nets.describe(net) + ")");
        m.put("norms", String.join(", ", norms));
        m.put("epochs", Integer.toString(epochs));
        m.put("batch size", Integer.toString(batchSize));
        m.put("optimizer", optimizer.orElse(Optimizers.defaultFor(net) + " (default for " + net + ")"));
        m.put("learning rate", (lr.isPresent() ? Double.toString(lr.getAsDouble())
                : Optimizers.defaultFor(net).equals("adam") ? "1e-3 (default)" : "1.0 with a norm, 0.9 without (default)")
                + (lrScaling.equals("linear") ? ", scaled linearly: × batch size / " + LR_REFERENCE_BATCH : ""));
        m.put("initialisation", init);
        m.put("weight decay", Double.toString(weightDecay));
        m.put("dropout", Double.toString(dropout));
        if (gradPenalty > 0) {
            m.put("gradient penalty", "λ = " + gradPenalty + " (loss + λ·‖∂loss/∂input‖²)");
        }
        m.put("threads", Integer.toString(threads));
        m.put("face", face.name().toLowerCase(java.util.Locale.ROOT));
        if (dtype != DType.FLOAT32) {
            m.put("dtype", dtype.label() + " (parameters, activations and norm buffers; initial values those of the "
                    + "float32 run, widened)");
        }
        trainLimit.ifPresent(n -> m.put("training rows", "first " + n));
        testLimit.ifPresent(n -> m.put("test rows", "first " + n));
        return m;
    }
}
