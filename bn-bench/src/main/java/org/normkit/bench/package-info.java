/**
 * The benchmark suite: every registered normalization (plugins included, no code change) timed with JMH against a
 * memory-bandwidth yardstick measured in the same run.
 *
 * <h2>What is timed</h2>
 * {@link org.normkit.bench.NormBenchmark} times one call of a norm for each combination of {@code norm}, {@code shape}
 * (the norm's own {@code contract().benchmarkShapes()}), {@code dtype} (float32, float64), {@code face} (reference,
 * fused), {@code pass} (train_forward, eval_forward, train_forward_backward) and {@code threads} (the kernels' thread
 * count, set through {@link org.normkit.autograd.parallel.KernelThreads}); {@link org.normkit.bench.NormWorkload} says what each
 * combination calls. {@link org.normkit.bench.CopyBenchmark} copies a tensor of the same element count and dtype
 * with the same number of threads. Every figure is reported as milliseconds, as a multiple of that copy ("× copy"),
 * and as effective GB/s under {@link org.normkit.bench.BytesModel}.
 *
 * <h2>How it runs</h2>
 * {@link org.normkit.bench.SuitePlan} turns the registry and a {@link org.normkit.bench.BenchSelection} into one
 * JMH run per (norm, shape) (norms only meet the shapes they take; what cannot run is listed with the reason), and
 * {@link org.normkit.bench.SuiteRunner} runs them through JMH's Runner API: a forked JVM per benchmark for
 * measurements ({@link org.normkit.bench.RunSettings#full}), or one forked JVM for everything in a quick look
 * ({@link org.normkit.bench.RunSettings#quick}, a {@link org.normkit.bench.BenchJob} run by
 * {@link org.normkit.bench.JobMain}). Every benchmark JVM
 * gets {@code --add-modules=jdk.incubator.vector} and {@code -Dnormkit.plugins=...}, so it sees the same plugins.
 *
 * <h2>Reports</h2>
 * {@link org.normkit.bench.ReportJson} (JSON, through Jackson) and {@link org.normkit.bench.ReportTable} (terminal
 * and Markdown). The comparison with PyTorch, same call, sides alternating in one session, is
 * {@link org.normkit.bench.Versus} ({@code normkit bench --peer}). Every file is written through {@code AtomicFiles}.
 *
 * <h2>Training steps</h2>
 * {@link org.normkit.bench.TrainingStepBenchmark} times whole training steps of the experiment nets (mlp, lenet, as
 * {@code org.normkit.experiments.train.Nets} builds them) with every norm on one face: samples/s at batch 128, so
 * the engine's cost around the norms shows. {@link org.normkit.bench.TrainingPlan},
 * {@link org.normkit.bench.TrainingRunner} (one JVM per thread count, OpenBLAS's thread count set to it) and
 * {@link org.normkit.bench.TrainingReport} are its plan, runner and report; {@code normkit bench --training} runs it.
 *
 * <p>The same benchmarks run under plain JMH too, e.g.
 * {@code java --add-modules=jdk.incubator.vector -cp normkit.jar org.openjdk.jmh.Main NormBenchmark
 * -p norm=layer_norm -p shape=32x128x768}; there {@code norm} must be given (JMH needs compile-time defaults) and
 * {@code shape=default} means the norm's first benchmark shape.
 */
package org.normkit.bench;
