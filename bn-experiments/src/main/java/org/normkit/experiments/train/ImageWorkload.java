package org.normkit.experiments.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.tensor.DType;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.report.RunConfig;

/** Image classification over a {@link DatasetSplit} (Fashion-MNIST or its synthetic stand-in). */
final class ImageWorkload implements Workload {
    private final DatasetSplit data;
    private final DType dtype;

    ImageWorkload(DatasetSplit data, DType dtype) {
        this.data = data;
        this.dtype = dtype;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public Module build(RunConfig run, NormSlot slot, SplittableRandom random) {
        return Nets.build(run.net(), slot.withDtype(dtype), run.dropout(), dtype, random);
    }

    @Override
    public int trainingRows() {
        return data.train().rows();
    }

    @Override
    public String rowsName() {
        return "images";
    }

    @Override
    public Trainer.EpochResult trainEpoch(Learning learning, Batches batches, int epoch, String task,
                                          Progress.Factory progress) {
        return new Trainer(progress, dtype).trainEpoch(learning.learner(), data.train(), batches, epoch, task);
    }

    @Override
    public Trainer.Evaluation evaluate(Module net) {
        return new Trainer(Progress.silent(), dtype).evaluate(net, data.test());
    }

    @Override
    public String origin() {
        return data.train().origin() + "; " + data.test().origin();
    }

    @Override
    public String title(String net) {
        return data.synthetic() ? "synthetic data" : "Fashion-MNIST" + (Nets.SEQUENCE_NETS.contains(net)
                ? " (row-sequential: 28 steps of 28 pixels)" : "");
    }

    @Override
    public boolean synthetic() {
        return data.synthetic();
    }

    @Override
    public String notice() {
        return data.notice();
    }

    @Override
    public String unit() {
        return "samples";
    }

    @Override
    public String announce() {
        return "data: " + data.train().rows() + " training and " + data.test().rows() + " test images (" + origin()
                + ")";
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data", data.train().rows() + " training / " + data.test().rows() + " test images: " + origin());
        return m;
    }
}
