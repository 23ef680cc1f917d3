package org.normkit.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a benchmark run produced, kernel, head-to-head or training: the machine, how it measured, one
 * {@link BenchResult} per timed combination, what was skipped or failed and why. {@link ReportJson} writes and reads
 * it member for member; {@link ReportTable} renders it for the terminal and as Markdown (a head-to-head through
 * {@link org.normkit.bench.versus.VersusTable}).
 *
 * <p>Files of the earlier reports read as this one: the kernel report's members are these, the training report's
 * ({@code docs/results/bench/training*.json}) differ only in holding its rows under {@code training}, and the
 * head-to-head report's ({@code docs/results/bench/versus.json}: the machine as one line, rows of per-side
 * milliseconds) is converted on reading ({@link LegacyHeadToHead}).
 *
 * @param commit      the commit the measured code was built from, {@code +dirty} when the tree had changes; null in
 *                    the files written before every run recorded it
 * @param settings    {@link RunSettings#describe()}, or the head-to-head's rounds and samples
 * @param threadsHook how the thread count was applied (norm kernels, and for training the BLAS); null in a
 *                    head-to-head, which sets each side's threads before every sample
 * @param batch       samples per training step; 0 in a kernel report
 * @param peers       a head-to-head's peers: id → what exactly was measured (version, build, settings)
 * @param specs       the spec each kernel (norm, shape) was built with, by {@code "norm shape"}
 */
public record BenchReport(@JsonProperty(required = true) MachineInfo machine,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String commit,
                          String settings,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String threadsHook,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) int batch,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> peers,
                          @JsonProperty(required = true) @JsonAlias("training") List<BenchResult> results,
                          List<BenchPlan.Skip> skipped,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> specs) {

    public BenchReport {
        peers = peers == null ? new LinkedHashMap<>() : new LinkedHashMap<>(peers);
        results = List.copyOf(results);
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
        specs = specs == null ? new TreeMap<>() : new TreeMap<>(specs);
    }

    /** A kernel or training report: no peers, its commit added by {@link #withCommit}. */
    public BenchReport(MachineInfo machine, String settings, String threadsHook, int batch, List<BenchResult> results,
                       List<BenchPlan.Skip> skipped, Map<String, String> specs) {
        this(machine, null, settings, threadsHook, batch, Map.of(), results, skipped, specs);
    }

    /** Reads a report written by {@link #write}, or by the earlier kernel, training or head-to-head report. */
    public static BenchReport read(Path file) {
        return LegacyHeadToHead.read(file).orElseGet(() -> ReportJson.read(file, BenchReport.class));
    }

    /** Writes the report atomically ({@link ReportJson}). */
    public void write(Path file) {
        ReportJson.write(file, this);
    }

    /** This report with the commit recorded. */
    public BenchReport withCommit(String c) {
        return new BenchReport(machine, c, settings, threadsHook, batch, peers, results, skipped, specs);
    }

    /** The rows of one benchmark kind. */
    public List<BenchResult> results(BenchKind kind) {
        return results.stream().filter(r -> r.kind() == kind).toList();
    }

    /**
     * The bytes model behind every kernel row's GB/s ({@link BytesModel}), written into the JSON beside the rows so
     * that a reader of the file can redo them: units per pass for batch statistics and for the others, and the
     * copy's. A head-to-head's floors ({@link org.normkit.bench.versus.Roofline}) divide the same units by the copy's.
     * Absent when the report holds neither kernel nor head-to-head rows.
     */
    @JsonProperty(value = "bytesModel", access = JsonProperty.Access.READ_ONLY)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Map<String, Object> bytesModel() {
        if (results(BenchKind.KERNEL).isEmpty() && results(BenchKind.HEAD_TO_HEAD).isEmpty()) {
            return null;
        }
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

    /**
     * This report with another run's rows, skips, specs and thread set-up (another thread count's JVM); a skip both
     * list is kept once.
     */
    public BenchReport plus(BenchReport other) {
        List<BenchResult> rows = new ArrayList<>(results);
        rows.addAll(other.results);
        List<BenchPlan.Skip> skips = new ArrayList<>(skipped);
        for (BenchPlan.Skip s : other.skipped) {
            if (!skips.contains(s)) {
                skips.add(s);
            }
        }
        Map<String, String> allSpecs = new TreeMap<>(specs);
        allSpecs.putAll(other.specs);
        String hooks = java.util.Objects.equals(threadsHook, other.threadsHook) ? threadsHook
                : threadsHook + " | " + other.threadsHook;
        Map<String, String> allPeers = new LinkedHashMap<>(peers);
        allPeers.putAll(other.peers);
        return new BenchReport(machine, commit, settings, hooks, batch, allPeers, rows, skips, allSpecs);
    }
}
