package org.normkit.core.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.nn.Conv2d;
import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.nn.Sequential;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.batch.BatchNorm;

/**
 * Inference folding: every {@link BatchNorm} layer in evaluation mode is merged into the {@link Linear} or
 * {@link Conv2d} just before it, giving an equivalent model with one layer fewer per norm (what
 * {@code torch.fx.experimental.optimization.fuse} does for Conv2d + BatchNorm2d).
 *
 * <h2>Formula</h2>
 * In evaluation a BatchNorm with running statistics is a per-channel affine map. With the layer before it
 * y = W·x + b (W's first axis being the output channel, for a Linear (out, in) and a Conv2d (out, in, k, k)):
 * <pre>
 *   s_c  = γ_c / sqrt(running_var_c + eps)
 *   W'_c = s_c · W_c                          (every weight of output channel c)
 *   b'_c = s_c · (b_c − running_mean_c) + β_c (b = 0 for a layer without bias; γ = 1, β = 0 without affine)
 * </pre>
 * The products are formed in float64 and stored in the layer's dtype, so a float64 model folds to outputs equal to
 * the original's within rounding (the tests hold them to 1e-10 relative to the output's largest magnitude). The
 * folded layer always has a bias.
 *
 * <h2>What folds, what is refused</h2>
 * Folding follows {@link Sequential}s, nested ones too: a norm folds into the layer it directly follows in its
 * Sequential, or into the last layer of a Sequential it follows. A Linear folds into {@code batch_norm1d} or the
 * any-rank {@code batch_norm} (its output (N, C) puts the features on the norm's channel axis); a Conv2d into
 * {@code batch_norm2d} or {@code batch_norm}. Anything else is refused with an {@link IllegalArgumentException}
 * naming the norm by its state-dict path and saying why: a layer other than Linear or Conv2d before it (an
 * activation, pooling, another kind of norm, or nothing), a norm in training mode (it would normalise with each
 * batch's statistics), a norm without running statistics ({@code track_running_stats=false}: the same in
 * evaluation), a feature count that differs from the layer's outputs, or a norm inside a module other than a
 * Sequential (its data flow is not visible). Other norms (LayerNorm, GroupNorm, …) are not BatchNorms and are kept.
 *
 * <h2>The original model</h2>
 * is never changed. The result has new Sequentials and new Linear and Conv2d layers with copied (or folded)
 * weights, each in its original's train/eval mode; every other layer (activations, pooling, other norms) is the
 * original's own instance, shared, so training the folded model would change the original's copies of those.
 *
 * <pre>{@code
 * Sequential net = new Sequential(new Linear(784, 256, rng), new BatchNorm().create("batch_norm1d", NormSpec.of(256)), new ReLU(), ...);
 * ... train ...
 * net.eval();
 * Module fast = BatchNormFolding.fold(net);   // Linear(784 -> 256), ReLU, ...: same outputs, one layer fewer
 * }</pre>
 */
public final class BatchNormFolding {

    private BatchNormFolding() {
    }

    /** An equivalent model with every BatchNorm folded into the layer before it; refuses what cannot fold. */
    public static Module fold(Module model) {
        NormLayer norm = batchNorm(model);
        if (norm != null) {
            throw refusal("", norm, "is the whole model: there is no Linear or Conv2d before it to fold into");
        }
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            return copy(model, "");
        }
    }

    private static Module copy(Module layer, String path) {
        if (layer instanceof Sequential sequential) {
            return foldSequential(sequential, path);
        }
        if (layer instanceof Linear linear) {
            return linearWith(linear, linear.weight().value().toDoubleArray(), bias(linear.bias()));
        }
        if (layer instanceof Conv2d conv) {
            return convWith(conv, conv.weight().value().toDoubleArray(), bias(conv.bias()));
        }
        requireNoNormInside(layer, path);
        return layer;
    }

    private static Module foldSequential(Sequential sequential, String path) {
        List<Module> layers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sequential.size(); i++) {
            Module layer = sequential.get(i);
            String name = path + i;
            NormLayer norm = batchNorm(layer);
            if (norm != null) {
                requireFoldable(norm, name);
                if (layers.isEmpty()) {
                    throw refusal(name, norm, "is the first layer of its Sequential: there is no Linear or Conv2d "
                            + "before it to fold into");
                }
                int last = layers.size() - 1;
                layers.set(last, foldInto(layers.get(last), names.get(last), norm, name));
            } else {
                layers.add(copy(layer, name + "."));
                names.add(name);
            }
        }
        Sequential folded = new Sequential();
        // The mode is set while the Sequential is empty: train() recurses, and the shared layers keep their own.
        folded.train(sequential.isTraining());
        layers.forEach(folded::add);
        return folded;
    }

    /** {@code before} (already a copy) with {@code norm} folded into it, or into its last layer. */
    private static Module foldInto(Module before, String beforeName, NormLayer norm, String normName) {
        if (before instanceof Sequential nested && nested.size() > 0) {
            Sequential refolded = new Sequential();
            refolded.train(nested.isTraining());
            for (int i = 0; i < nested.size() - 1; i++) {
                refolded.add(nested.get(i));
            }
            int last = nested.size() - 1;
            return refolded.add(foldInto(nested.get(last), beforeName + "." + last, norm, normName));
        }
        String dims = norm.name();
        if (before instanceof Linear linear && (dims.equals("batch_norm1d") || dims.equals("batch_norm"))) {
            requireFeatures(norm, normName, linear.outFeatures(), beforeName, linear);
            double[][] folded = foldedWeightAndBias(norm, linear.weight().value(), bias(linear.bias()));
            return linearWith(linear, folded[0], folded[1]);
        }
        if (before instanceof Conv2d conv && (dims.equals("batch_norm2d") || dims.equals("batch_norm"))) {
            requireFeatures(norm, normName, conv.outChannels(), beforeName, conv);
            double[][] folded = foldedWeightAndBias(norm, conv.weight().value(), bias(conv.bias()));
            return convWith(conv, folded[0], folded[1]);
        }
        if (before instanceof Linear || before instanceof Conv2d) {
            throw refusal(normName, norm, "follows '" + beforeName + "' (" + before + "), whose output does not put "
                    + "its channels where this norm reads them: a Linear folds into batch_norm1d or batch_norm, a "
                    + "Conv2d into batch_norm2d or batch_norm");
        }
        throw refusal(normName, norm, "follows '" + beforeName + "' (" + before + "), not a Linear or Conv2d: only "
                + "a norm directly after a Linear or Conv2d folds into it (an activation or pooling in between "
                + "changes what the norm sees); leave this model unfolded or move the norm");
    }

    /** W' = s·W per output channel and b' = s·(b − running_mean) + β, with s = γ / sqrt(running_var + eps). */
    private static double[][] foldedWeightAndBias(NormLayer norm, Tensor weight, double[] bias) {
        Map<String, Tensor> state = norm.stateDict();
        double[] mean = state.get("running_mean").toDoubleArray();
        double[] variance = state.get("running_var").toDoubleArray();
        double[] gamma = norm.weight().map(Tensor::toDoubleArray).orElse(null);
        double[] beta = norm.bias().map(Tensor::toDoubleArray).orElse(null);
        double eps = norm.spec().eps();
        int channels = mean.length;
        double[] w = weight.toDoubleArray();
        int perChannel = w.length / channels;
        double[] foldedBias = new double[channels];
        for (int c = 0; c < channels; c++) {
            double scale = (gamma == null ? 1.0 : gamma[c]) / Math.sqrt(variance[c] + eps);
            for (int k = c * perChannel; k < (c + 1) * perChannel; k++) {
                w[k] *= scale;
            }
            double b = bias == null ? 0.0 : bias[c];
            foldedBias[c] = scale * (b - mean[c]) + (beta == null ? 0.0 : beta[c]);
        }
        return new double[][] {w, foldedBias};
    }

    private static void requireFoldable(NormLayer norm, String name) {
        if (norm.runningStats().isPresent() && !norm.usesRunningStatistics()) {
            throw refusal(name, norm, "is in training mode, where it normalises with each batch's statistics: call "
                    + "eval() on the model before folding");
        }
        if (!norm.stateDict().containsKey("running_mean")) {
            throw refusal(name, norm, "keeps no running statistics (track_running_stats=false), so even in "
                    + "evaluation it normalises with each batch's statistics, which no fixed weights reproduce");
        }
    }

    private static void requireFeatures(NormLayer norm, String normName, int outputs, String beforeName,
                                        Module before) {
        if (norm.spec().numFeatures() != outputs) {
            throw refusal(normName, norm, "has " + norm.spec().numFeatures() + " features but '" + beforeName + "' ("
                    + before + ") has " + outputs + " outputs: the model could not run as it is");
        }
    }

    private static void requireNoNormInside(Module layer, String path) {
        for (Map.Entry<String, Module> child : layer.children().entrySet()) {
            String name = path + child.getKey();
            NormLayer norm = batchNorm(child.getValue());
            if (norm != null) {
                throw refusal(name, norm, "sits inside " + layer.getClass().getSimpleName() + ", which is not a "
                        + "Sequential: folding cannot see which layer feeds the norm; build that part as a Sequential");
            }
            requireNoNormInside(child.getValue(), name + ".");
        }
    }

    private static IllegalArgumentException refusal(String name, NormLayer norm, String why) {
        String where = name.isEmpty() ? "" : "'" + name + "' ";
        return new IllegalArgumentException("cannot fold BatchNorm " + where + "(" + norm + "): it " + why);
    }

    /** The layer as a BatchNorm layer (one of batch_norm, batch_norm1d/2d/3d), or null. */
    private static NormLayer batchNorm(Module layer) {
        return layer instanceof NormLayer norm && norm.norm() instanceof BatchNorm ? norm : null;
    }

    /** A new Linear like {@code original} holding these values (the random initialisation is overwritten). */
    private static Linear linearWith(Linear original, double[] weight, double[] bias) {
        DType dtype = original.weight().value().dtype();
        Linear copy = new Linear(original.inFeatures(), original.outFeatures(), bias != null, dtype,
                new SplittableRandom(0));
        fill(copy.weight(), weight, copy.bias(), bias);
        copy.train(original.isTraining());
        return copy;
    }

    private static Conv2d convWith(Conv2d original, double[] weight, double[] bias) {
        DType dtype = original.weight().value().dtype();
        Conv2d copy = new Conv2d(original.inChannels(), original.outChannels(), original.kernelSize(),
                original.stride(), original.padding(), bias != null, dtype, new SplittableRandom(0));
        fill(copy.weight(), weight, copy.bias(), bias);
        copy.train(original.isTraining());
        return copy;
    }

    private static void fill(Parameter weight, double[] weightValues, Parameter bias, double[] biasValues) {
        weight.value().copyFrom(Tensor.wrap(weightValues, weight.value().shape()));
        if (bias != null) {
            bias.value().copyFrom(Tensor.wrap(biasValues, bias.value().shape()));
        }
    }

    private static double[] bias(Parameter bias) {
        return bias == null ? null : bias.value().toDoubleArray();
    }
}
