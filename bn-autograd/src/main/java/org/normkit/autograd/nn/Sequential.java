package org.normkit.autograd.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.normkit.autograd.tensor.Tensor;

/**
 * Layers applied in order, {@code torch.nn.Sequential}. Children are named "0", "1", ... in the order they are
 * added, so state-dict entries read {@code 1.weight}, as in a PyTorch checkpoint of the same net.
 *
 * <pre>{@code
 * Sequential mlp = new Sequential(new Flatten(), new Linear(784, 256, rng), new ReLU(), new Linear(256, 10, rng));
 * }</pre>
 */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... layers) {
        for (Module m : layers) {
            add(m);
        }
    }

    /** Appends a layer under the next index name; returns this for chaining. */
    public Sequential add(Module layer) {
        if (layer == null) {
            throw new IllegalArgumentException("Sequential.add: layer " + layers.size() + " is null");
        }
        registerChild(Integer.toString(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module layer : layers) {
            y = layer.forward(y);
        }
        return y;
    }

    public Module get(int index) {
        if (index < 0 || index >= layers.size()) {
            throw new IndexOutOfBoundsException("Sequential.get(" + index + "): the net has " + layers.size()
                    + " layers, indices 0 to " + (layers.size() - 1));
        }
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    public List<Module> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** One layer per line, PyTorch's way: {@code (0): Linear(784 -> 256)}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Sequential(");
        for (int i = 0; i < layers.size(); i++) {
            s.append("\n  (").append(i).append("): ").append(layers.get(i).toString().replace("\n", "\n  "));
        }
        return s.append(layers.isEmpty() ? ")" : "\n)").toString();
    }
}
