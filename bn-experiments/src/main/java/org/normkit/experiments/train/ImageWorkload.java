package org.normkit.experiments.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.DatasetSplit;

/** Image classification over a {@link DatasetSplit} (Fashion-MNIST or its synthetic stand-in). */
final class ImageWorkload implements Workload {
    private final DatasetSplit data;
    private final Trainer trainer;
    private final String net;
    private final double dropout;

    ImageWorkload(DatasetSplit data, Trainer trainer, String net, double dropout) {
        this.data = data;
        this.trainer = trainer;
        this.net = net;
        this.dropout = dropout;
    }

    @Override
    public Module build(NormSlot slot, SplittableRandom random) {
        return Nets.build(net, slot, dropout, random);
    }

    @Override
    public int trainingRows() {
        return data.train().rows();
    }

    @Override
    public Trainer.EpochResult trainEpoch(Module model, Optimizer optimizer, Batches batches, int epoch, String task,
                                          double gradPenalty) {
        return trainer.trainEpoch(model, optimizer, data.train(), batches, epoch, task, gradPenalty);
    }

    @Override
    public Trainer.Evaluation evaluate(Module model) {
        return trainer.evaluate(model, data.test());
    }

    @Override
    public String origin() {
        return data.train().origin() + "; " + data.test().origin();
    }

    @Override
    public String title() {
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
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data", data.train().rows() + " training / " + data.test().rows() + " test images: "
                + data.train().origin() + "; " + data.test().origin());
        return m;
    }
}
