package org.normkit.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a suite run produced: the machine, how it measured, one row per timed combination, what it skipped or
 * failed and why. {@link ReportJson} writes and reads it, member for member.
 *
 * @param settings    {@link RunSettings#describe()}
 * @param threadsHook how the kernels' thread count was set (through {@link org.normkit.autograd.parallel.KernelThreads#set})
 * @param specs       the spec each (norm, shape) was built with, by {@code "norm shape"}
 */
public record BenchReport(@JsonProperty(required = true) MachineInfo machine, String settings, String threadsHook,
                          @JsonProperty(required = true) List<BenchResult> results, List<SuitePlan.Skip> skipped,
                          Map<String, String> specs) {

    public BenchReport {
        results = List.copyOf(results);
        skipped = List.copyOf(skipped);
        specs = new TreeMap<>(specs);
    }

    /**
     * The bytes model behind every row's GB/s ({@link BytesModel}), written into the JSON beside the rows so that a
     * reader of the file can redo them: units per pass for batch statistics and for the others, and the copy's.
     */
    @JsonProperty(value = "bytesModel", access = JsonProperty.Access.READ_ONLY)
    public Map<String, Object> bytesModel() {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("unit", "one read or one write of a tensor of the input's size");
        model.put("batch_norm*", units(BytesModel.BATCH));
        model.put("others", units(BytesModel.PER_SAMPLE));
        model.put("copy", BytesModel.COPY_UNITS);
        return model;
    }

    private static Map<String, Integer> units(BytesModel model) {
        Map<String, Integer> units = new LinkedHashMap<>();
        for (BenchPass p : BenchPass.values()) {
            units.put(p.id(), model.units(p));
        }
        return units;
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
