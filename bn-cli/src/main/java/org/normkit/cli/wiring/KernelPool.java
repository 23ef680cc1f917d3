package org.normkit.cli.wiring;

/**
 * The thread pool the norm kernels split their work over, as the CLI sees it: {@code --threads} sizes it. Bound to
 * {@link org.normkit.autograd.parallel.KernelThreads} (one pool per JVM, like {@code torch.set_num_threads}).
 */
@FunctionalInterface
public interface KernelPool {
    /** Sets the number of threads the kernels use from now on; {@code threads ≥ 1}. */
    void useThreads(int threads);
}
