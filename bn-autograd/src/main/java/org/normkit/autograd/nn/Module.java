package org.normkit.autograd.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.normkit.autograd.tensor.Tensor;

/**
 * A layer or a network: parameters, buffers (state that is saved but not learned, such as running statistics),
 * child modules, and the train/eval flag, as in {@code torch.nn.Module}. State-dict names are dotted paths,
 * {@code "0.weight"}, {@code "norm.running_mean"}, so checkpoints read like PyTorch's.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The layer's computation. */
    public abstract Tensor forward(Tensor x);

    protected final Parameter registerParameter(String name, Tensor initial) {
        requireNewName(name);
        Parameter p = new Parameter(initial);
        parameters.put(name, p);
        return p;
    }

    protected final Tensor registerBuffer(String name, Tensor value) {
        requireNewName(name);
        buffers.put(name, value);
        return value;
    }

    protected final <M extends Module> M registerChild(String name, M child) {
        requireNewName(name);
        children.put(name, child);
        return child;
    }

    private void requireNewName(String name) {
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has a member named '" + name + "'");
        }
    }

    /** Every parameter of this module and its descendants, in registration order. */
    public final List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(parameters.values());
        for (Module child : children.values()) {
            all.addAll(child.parameters());
        }
        return all;
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Parameters and buffers by dotted name; the tensors themselves, not copies. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        collect("", state);
        return state;
    }

    private void collect(String prefix, Map<String, Tensor> into) {
        parameters.forEach((name, p) -> into.put(prefix + name, p.value()));
        buffers.forEach((name, b) -> into.put(prefix + name, b));
        children.forEach((name, child) -> child.collect(prefix + name + ".", into));
    }

    /**
     * Copies values into this module's tensors. Every entry must exist here with the same shape; a missing or extra
     * entry, or a shape mismatch, is an error naming the entry and both shapes (nothing is copied then).
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor given = state.get(e.getKey());
            if (given == null) {
                problems.add("missing entry '" + e.getKey() + "' of shape " + e.getValue().shape());
            } else if (!given.shape().equals(e.getValue().shape())) {
                problems.add("entry '" + e.getKey() + "' has shape " + given.shape() + " but this "
                        + getClass().getSimpleName() + " needs " + e.getValue().shape());
            }
        }
        for (String key : state.keySet()) {
            if (!own.containsKey(key)) {
                problems.add("unexpected entry '" + key + "' (this module has " + own.keySet() + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict into " + getClass().getSimpleName() + ": "
                    + String.join("; ", problems));
        }
        own.forEach((key, tensor) -> tensor.copyFrom(state.get(key)));
    }

    public final boolean isTraining() {
        return training;
    }

    /** Sets training mode here and in every descendant; returns this. */
    public Module train(boolean mode) {
        training = mode;
        for (Module child : children.values()) {
            child.train(mode);
        }
        return this;
    }

    public final Module train() {
        return train(true);
    }

    public final Module eval() {
        return train(false);
    }

    public final void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }
}
