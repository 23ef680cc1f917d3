package org.normkit.pytorch;

import java.util.Arrays;
import java.util.function.Supplier;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.normkit.autograd.tensor.DType;
import org.normkit.bench.BenchPass;
import org.normkit.bench.versus.Case;
import org.normkit.bench.versus.Contender;
import org.normkit.bench.versus.Peer;
import org.normkit.bench.versus.Sampler;

/**
 * PyTorch 2.10's CPU kernels, called in the benchmark JVM through the JavaCPP presets: the same ATen functions the
 * {@code torch.nn} modules call ({@code batch_norm}, {@code layer_norm}, {@code group_norm}, {@code instance_norm}),
 * with the modules' defaults (affine with γ = 1 and β = 0, running statistics for BatchNorm with momentum 0.1, eps
 * 1e-5, 32 groups for GroupNorm, InstanceNorm without affine or running statistics), as
 * {@code scripts/pytorch/bench_peer.py} builds them in Python.
 *
 * <p>Passes: the forward passes record no graph (no input requires a gradient, as under {@code torch.no_grad()});
 * training forward updates BatchNorm's running statistics as the module does. Forward and backward: x, γ and β
 * require gradients, {@code y.backward(g)} runs autograd, and the gradients are reset to undefined before each call
 * (as {@code zero_grad(set_to_none=True)}). Every call allocates its output, as a PyTorch user's call does.
 */
final class LibtorchPeer implements Peer {
    static final String NAME = "pytorch-2.10";
    private static final long SEED = 12345;
    private static final double EPS = 1e-5;
    private static final double MOMENTUM = 0.1;
    private static final int GROUPS = 32;

    private final String describe;

    LibtorchPeer() {
        String config = torch.show_config().getString();
        String capability = config.replaceFirst("(?s).*CPU capability usage: (\\S+).*", "$1");
        String version = config.replaceFirst("(?s).*TORCH_VERSION=([0-9.]+).*", "$1");
        describe = "PyTorch " + version + " (libtorch from the JavaCPP presets "
                + "org.bytedeco:pytorch:2.10.0-1.5.13, linux-x86_64), in the benchmark JVM; CPU capability "
                + capability + "; ATen functions with the nn modules' defaults; outputs allocated per call";
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public Contender prepare(Case c) {
        if (!Arrays.asList("batch_norm1d", "batch_norm2d", "batch_norm3d", "layer_norm", "group_norm",
                "instance_norm1d", "instance_norm2d", "instance_norm3d").contains(c.norm())) {
            throw new UnsupportedOperationException(NAME + " has no call for " + c.norm());
        }
        return new Call(c);
    }

    /** The tensors of one case, and its two timed calls. */
    private static final class Call implements Contender {
        private final Case c;
        private final Tensor x;
        private final Tensor gradOutput;
        private final Tensor copyTarget;
        private final Tensor weight;
        private final Tensor bias;
        private final Tensor runningMean;
        private final Tensor runningVar;
        private final Tensor leaf;
        private final Supplier<Object> call;
        private final Sampler sampler = new Sampler();

        Call(Case c) {
            this.c = c;
            long[] shape = Arrays.stream(c.shape().dims()).asLongStream().toArray();
            TensorOptions options = new TensorOptions(c.dtype() == DType.FLOAT32 ? torch.ScalarType.Float
                    : torch.ScalarType.Double);
            torch.manual_seed(SEED);
            x = torch.randn(shape, options);
            gradOutput = torch.randn(shape, options);
            copyTarget = torch.empty_like(x);
            long channels = c.norm().startsWith("layer_norm") ? shape[shape.length - 1] : shape[1];
            weight = torch.ones(new long[] {channels}, options);
            bias = torch.zeros(new long[] {channels}, options);
            runningMean = torch.zeros(new long[] {channels}, options);
            runningVar = torch.ones(new long[] {channels}, options);
            boolean backward = c.pass() == BenchPass.TRAIN_FORWARD_BACKWARD;
            if (backward) {
                weight.requires_grad_(true);
                bias.requires_grad_(true);
                leaf = x.detach().clone().requires_grad_(true);
            } else {
                leaf = null;
            }
            boolean training = c.pass() != BenchPass.EVAL_FORWARD;
            call = backward ? () -> forwardBackward(training) : () -> {
                Tensor y = forward(x, training);
                y.close();
                return y;
            };
        }

        private Object forwardBackward(boolean training) {
            leaf.mutable_grad().reset();
            weight.mutable_grad().reset();
            bias.mutable_grad().reset();
            Tensor y = forward(leaf, training);
            y.backward(gradOutput, new BoolOptional(), false, new TensorArrayRefOptional());
            y.close();
            return y;
        }

        private Tensor forward(Tensor input, boolean training) {
            TensorOptional w = new TensorOptional(weight);
            TensorOptional b = new TensorOptional(bias);
            String norm = c.norm();
            if (norm.startsWith("batch_norm")) {
                return torch.batch_norm(input, w, b, new TensorOptional(runningMean), new TensorOptional(runningVar),
                        training, MOMENTUM, EPS, false);
            }
            if (norm.equals("layer_norm")) {
                return torch.layer_norm(input, new long[] {input.size(-1)}, w, b, EPS, false);
            }
            if (norm.equals("group_norm")) {
                return torch.group_norm(input, GROUPS, w, b, EPS, false);
            }
            return torch.instance_norm(input, new TensorOptional(), new TensorOptional(), new TensorOptional(),
                    new TensorOptional(), true, MOMENTUM, EPS, false);
        }

        @Override
        public double callMs(int threads, double minMs) {
            torch.set_num_threads(threads);
            return sampler.sample("call/" + threads, call, minMs);
        }

        @Override
        public double copyMs(int threads, double minMs) {
            torch.set_num_threads(threads);
            return sampler.sample("copy/" + threads, () -> copyTarget.copy_(x), minMs);
        }

        @Override
        public void close() {
            for (Tensor t : new Tensor[] {x, gradOutput, copyTarget, weight, bias, runningMean, runningVar, leaf}) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }
}
