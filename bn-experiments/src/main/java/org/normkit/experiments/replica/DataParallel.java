package org.normkit.experiments.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.replica.StatsReducer;
import org.normkit.experiments.train.Trainer;

/**
 * Data-parallel training in one JVM, as PyTorch's DistributedDataParallel does it across processes: K replicas of
 * the net, built alike (same seed, same initial parameters), each on its own thread with a contiguous part of every
 * batch; their gradients summed, so the K replicas take one optimizer step together and stay identical.
 *
 * <p>Each replica's loss is its share of the batch's mean loss, Σ_local loss / B, so the sum of the replicas'
 * gradients is the gradient of the batch's mean loss: with {@code SyncBatchNorm} (which sums Σdy and Σdy·x̂ across
 * replicas) the K replicas compute what one process computes with the whole batch, up to rounding. Gradients are
 * added in replica order, so the result does not depend on which thread ends first.
 *
 * <p>Buffers (BatchNorm's running statistics) are copied from replica 0 to the others after each step, as
 * DistributedDataParallel's {@code broadcast_buffers} does: with synchronised BatchNorm they are equal anyway;
 * without, every replica evaluates with replica 0's. {@link #primary()} is the net to evaluate.
 *
 * <p>A replica that fails aborts the {@link StatsReducer}, so the others stop waiting and the step fails as a whole.
 */
public final class DataParallel implements Trainer.Learner, AutoCloseable {
    private final List<Module> replicas;
    private final List<Optimizer> optimizers;
    private final StatsReducer reducer;
    private final ExecutorService threads;

    /**
     * @param replicas   K nets with identical parameters (replica k's sync norms use index k of {@code reducer})
     * @param optimizers one per replica, over its parameters
     * @param reducer    what the replicas' SyncBatchNorm layers exchange through; aborted when a replica fails
     */
    public DataParallel(List<Module> replicas, List<Optimizer> optimizers, StatsReducer reducer) {
        if (replicas.size() != optimizers.size() || replicas.size() != reducer.replicas()) {
            throw new IllegalArgumentException(replicas.size() + " replicas need as many optimizers and a reducer "
                    + "for as many, got " + optimizers.size() + " and " + reducer.replicas());
        }
        this.replicas = List.copyOf(replicas);
        this.optimizers = List.copyOf(optimizers);
        this.reducer = reducer;
        // One thread per replica: a replica waiting in the reducer must not hold the thread another one needs.
        this.threads = Executors.newFixedThreadPool(replicas.size(), r -> {
            Thread t = new Thread(r, "normkit-replica");
            t.setDaemon(true);
            return t;
        });
    }

    /** The net evaluation uses: replica 0 (all replicas hold the same parameters). */
    public Module primary() {
        return replicas.get(0);
    }

    /** The K replicas, in replica order. */
    public List<Module> replicas() {
        return replicas;
    }

    @Override
    public void train() {
        replicas.forEach(Module::train);
    }

    @Override
    public int minimumRows() {
        return 2 * replicas.size();
    }

    @Override
    public Trainer.Step forward(Tensor images, int[] labels) {
        int k = replicas.size();
        int batch = labels.length;
        int[] sizes = new Replication(k, false).split(batch);
        int perImage = images.numel() / batch;
        double[] pixels = images.toDoubleArray();
        Tensor[] losses = new Tensor[k];
        double[] values = new double[k];
        long[] correct = new long[k];
        runOnReplicas(r -> {
            int from = 0;
            for (int i = 0; i < r; i++) {
                from += sizes[i];
            }
            int[] dims = images.shape().dims().clone();
            dims[0] = sizes[r];
            double[] part = java.util.Arrays.copyOfRange(pixels, from * perImage, (from + sizes[r]) * perImage);
            int[] y = java.util.Arrays.copyOfRange(labels, from, from + sizes[r]);
            return () -> {
                Tensor x = Tensor.wrap(part, Shape.of(dims));
                Tensor logits = replicas.get(r).forward(images.dtype() == DType.FLOAT64 ? x : x.to(images.dtype()));
                losses[r] = Losses.crossEntropy(logits, y).mul((double) sizes[r] / batch);
                values[r] = losses[r].item();
                correct[r] = Trainer.countCorrect(logits, y);
                return null;
            };
        });
        double loss = 0;
        long right = 0;
        for (int r = 0; r < k; r++) {
            loss += values[r];
            right += correct[r];
        }
        double total = loss;
        long totalCorrect = right;
        return new Trainer.Step() {
            @Override
            public double loss() {
                return total;
            }

            @Override
            public long correct() {
                return totalCorrect;
            }

            @Override
            public void learn() {
                runOnReplicas(r -> () -> {
                    optimizers.get(r).zeroGrad();
                    losses[r].backward();
                    return null;
                });
                sumGradients();
                for (Optimizer optimizer : optimizers) {
                    optimizer.step();
                }
                broadcastBuffers();
            }
        };
    }

    /** Every replica's gradient of each parameter becomes the sum over replicas, added in replica order. */
    private void sumGradients() {
        List<List<Parameter>> parameters = new ArrayList<>();
        replicas.forEach(m -> parameters.add(m.parameters()));
        for (int p = 0; p < parameters.get(0).size(); p++) {
            Tensor sum = null;
            for (List<Parameter> replica : parameters) {
                Tensor g = replica.get(p).grad();
                if (g != null) {
                    sum = sum == null ? g.detach().copy() : sum.add(g.detach());
                }
            }
            for (List<Parameter> replica : parameters) {
                replica.get(p).value().setGrad(sum == null ? null : sum.copy());
            }
        }
    }

    private void broadcastBuffers() {
        var state = replicas.get(0).stateDict();
        for (int r = 1; r < replicas.size(); r++) {
            var other = replicas.get(r).stateDict();
            state.forEach((name, value) -> other.get(name).copyFrom(value));
        }
    }

    /** Runs the task each replica's factory makes, one per thread, and waits for all; the first failure is thrown. */
    private void runOnReplicas(IntFunction<Callable<Void>> work) {
        List<Future<Void>> running = new ArrayList<>();
        for (int r = 0; r < replicas.size(); r++) {
            Callable<Void> task = work.apply(r);
            running.add(threads.submit(() -> {
                try {
                    return task.call();
                } catch (Throwable e) {
                    reducer.abort(e);
                    throw e;
                }
            }));
        }
        RuntimeException first = null;
        for (Future<Void> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null || first instanceof org.normkit.core.replica.ReplicaFailedException) {
                    first = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reducer.abort(e);
                throw new IllegalStateException("interrupted while the replicas trained", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
