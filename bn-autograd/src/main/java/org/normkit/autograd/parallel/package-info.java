/**
 * The one thread pool of normkit's loops and kernels, {@link org.normkit.autograd.parallel.KernelThreads}: the norm
 * kernels of bn-core and the convolution and matrix loops of {@link org.normkit.autograd.loops} split their work over
 * it, so one {@code --threads} (like {@code torch.set_num_threads}) sizes them all.
 *
 * <p>It lives at the bottom of the module graph because the lowest layer that uses it (the loops) must see it; it
 * knows neither tensors nor ops.
 */
package org.normkit.autograd.parallel;
