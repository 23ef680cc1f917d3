package org.normkit.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a suite run produced: the machine, how it measured, one row per timed combination, what it skipped or
 * failed and why.
 *
 * @param settings    {@link RunSettings#describe()}
 * @param threadsHook how the kernels' thread count was set (through {@link org.normkit.core.kernel.KernelThreads#set})
 * @param specs       the spec each (norm, shape) was built with, by {@code "norm shape"}
 */
public record BenchReport(MachineInfo machine, String settings, String threadsHook, List<BenchResult> results,
                          List<SuitePlan.Skip> skipped, Map<String, String> specs) {

    public BenchReport {
        results = List.copyOf(results);
        skipped = List.copyOf(skipped);
        specs = new TreeMap<>(specs);
    }

    /** The same report with more results (and skips), e.g. a second run's. */
    public BenchReport plus(List<BenchResult> moreResults, List<SuitePlan.Skip> moreSkipped) {
        List<BenchResult> r = new ArrayList<>(results);
        r.addAll(moreResults);
        List<SuitePlan.Skip> s = new ArrayList<>(skipped);
        s.addAll(moreSkipped);
        return new BenchReport(machine, settings, threadsHook, r, s, specs);
    }
}
