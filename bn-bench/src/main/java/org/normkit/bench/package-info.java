/**
 * The benchmarks: every registered normalization (plugins included, no code change) timed with JMH against a
 * memory-bandwidth yardstick measured in the same run, and whole training steps of the experiment nets, through one
 * plan, one runner and one report.
 *
 * <h2>What is timed</h2>
 * {@link org.normkit.bench.NormBenchmark} times one call of a norm for each combination of {@code norm}, {@code shape}
 * (the norm's own {@code contract().benchmarkShapes()}), {@code dtype} (float32, float64), {@code face} (reference,
 * fused), {@code pass} (train_forward, eval_forward, train_forward_backward), {@code mask} (none, or padded: the
 * masked call of the norms that take a mask, {@link org.normkit.bench.BenchMask}) and {@code threads} (the kernels'
 * thread count, set through {@link org.normkit.autograd.parallel.KernelThreads}); {@link org.normkit.bench.NormWorkload}
 * says what each combination calls. {@link org.normkit.bench.CopyBenchmark} copies a tensor of the same element count
 * and dtype with the same number of threads. Every figure is reported as milliseconds, as a multiple of that copy
 * ("× copy"), and as effective GB/s under {@link org.normkit.bench.BytesModel}.
 *
 * <p>{@link org.normkit.bench.TrainingStepBenchmark} times whole training steps of the experiment nets (as
 * {@code org.normkit.experiments.train.Nets} builds them) with every norm on one face: samples/s at batch 128, so the
 * engine's cost around the norms shows ({@link org.normkit.bench.TrainingWorkload}).
 *
 * <h2>How it runs</h2>
 * A {@link org.normkit.bench.BenchSelection} names the axes, {@link org.normkit.bench.BenchPlan} turns it and the
 * registry into one JMH run per group (a norm on one shape; a net with a norm), listing what cannot run with the
 * reason, and {@link org.normkit.bench.BenchRunner} runs them through JMH's Runner API in one benchmark JVM per
 * thread count (a {@link org.normkit.bench.BenchJob} run by {@link org.normkit.bench.JobMain}, with OpenBLAS's thread
 * count set to it and a temporary directory, hence a JMH lock, of its own): in that JVM for a quick look
 * ({@link org.normkit.bench.RunSettings#quick}), or in a JMH fork per benchmark for measurements
 * ({@link org.normkit.bench.RunSettings#full}). Every benchmark JVM gets {@code --add-modules=jdk.incubator.vector}
 * and {@code -Dnormkit.plugins=...}, so it sees the same plugins.
 *
 * <h2>Reports</h2>
 * {@link org.normkit.bench.BenchReport}, its rows {@link org.normkit.bench.BenchResult}: written and read through
 * {@link org.normkit.bench.ReportJson} (Jackson), rendered by {@link org.normkit.bench.ReportTable} (terminal and
 * Markdown). The comparison with PyTorch, same call, sides alternating in one session, is
 * {@link org.normkit.bench.Versus} ({@code normkit bench --peer}), with a report of its own. Every file is written
 * through {@code AtomicFiles}.
 *
 * <p>The same benchmarks run under plain JMH too, e.g.
 * {@code java --add-modules=jdk.incubator.vector -cp normkit.jar org.openjdk.jmh.Main NormBenchmark
 * -p norm=layer_norm -p shape=32x128x768}; there {@code norm} must be given (JMH needs compile-time defaults) and
 * {@code shape=default} means the norm's first benchmark shape.
 */
package org.normkit.bench;
