package org.normkit.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The head-to-head report as {@code normkit bench --peer} wrote it before it became a {@link BenchReport}
 * ({@code docs/results/bench/versus.json} of 2026-12-02): the machine as one line beside the date, rows of
 * per-side milliseconds ({@code normkit} among them), and what did not run as lines of text. Read and converted, so
 * that the committed files render as they did; never written.
 */
final class LegacyHeadToHead {
    private LegacyHeadToHead() {}

    record File(String date, String commit, String machine, String settings, Map<String, String> peers,
                        List<Row> rows, List<String> skipped) {}

    record Row(String norm, String shape, String dtype, String pass, int threads, Map<String, Double> ms,
                       Map<String, Double> normkitOver, double floorMs, double timesFloor, String floorBy,
                       Map<String, List<Double>> perRound) {}

    /** The report in {@code file} when it is one of the earlier head-to-head form (a machine line and rows). */
    static Optional<BenchReport> read(Path file) {
        JsonNode root;
        try {
            root = ReportJson.read(file, JsonNode.class);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not JSON at all: the report's own reading says so
        }
        if (!root.path("machine").isTextual() || !root.has("rows")) {
            return Optional.empty();
        }
        File old;
        try {
            old = ReportJson.parse(root.toString(), File.class);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        List<BenchResult> rows = new ArrayList<>();
        for (Row r : old.rows()) {
            Map<String, Double> peerMs = new LinkedHashMap<>(r.ms());
            Double ours = peerMs.remove(BenchResult.PeerComparison.NORMKIT);
            rows.add(BenchResult.headToHead(r.norm(), r.shape(), r.dtype(), r.pass(), BenchMask.NONE.id(),
                    r.threads(), ours == null ? Double.NaN : ours, new BenchResult.PeerComparison(peerMs,
                            r.normkitOver(), r.floorMs(), r.timesFloor(), r.floorBy(), r.perRound())));
        }
        List<BenchPlan.Skip> skipped = new ArrayList<>();
        for (String line : old.skipped() == null ? List.<String>of() : old.skipped()) {
            skipped.add(new BenchPlan.Skip(null, null, null, null, null, null, null, null, line));
        }
        return Optional.of(new BenchReport(MachineInfo.fromLine(old.machine(), old.date()), old.commit(),
                old.settings(), null, 0, old.peers(), rows, skipped, Map.of()));
    }
}
