package org.normkit.cli.readme;

import java.nio.file.Path;

import org.normkit.bench.BenchReport;
import org.normkit.bench.versus.VersusTable;

/**
 * The norm kernels against PyTorch 2.10 and Debian's PyTorch 1.13: normkit ms ÷ each peer's ms for the same call,
 * measured in one session with the sides alternating in rounds, per norm, shape and pass, for each dtype and thread
 * count, and each row's time over the fastest copy of its tensor; from {@code docs/results/bench/versus.json}
 * ({@code normkit bench --peer pytorch-2.10,pytorch --json ...}).
 */
final class KernelBenchFigure implements ReadmeFigure {

    static final String RESULTS = "docs/results/bench/versus.json";

    @Override
    public String key() {
        return "bench-kernels";
    }

    @Override
    public String render(Path repositoryRoot) {
        BenchReport report = BenchReport.read(ResultFiles.existing(repositoryRoot, RESULTS));
        return VersusTable.header(report) + "\n" + VersusTable.summary(report) + VersusTable.floors(report);
    }
}
