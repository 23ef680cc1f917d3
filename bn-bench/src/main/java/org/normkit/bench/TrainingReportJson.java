package org.normkit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.normkit.autograd.io.AtomicFiles;

/**
 * The JSON form of a {@link TrainingReport}:
 *
 * <pre>{@code
 * {"machine": {"cpu", "cores", "runtime", "flags", "date"}, "settings", "threadsHook", "batch",
 *  "training": [{"net", "norm", "face", "threads", "msPerStep", "samplesPerSecond", "samplesPerSecondError",
 *                "samplesPerSecondMedian"}, ...],
 *  "skipped": [{"net", "norm", "face", "reason"}, ...]}
 * }</pre>
 * Unknown numbers are {@code null}. Files are written atomically ({@link AtomicFiles}).
 */
public final class TrainingReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingReportJson() {}

    public static void write(Path target, TrainingReport report) {
        AtomicFiles.writeString(target, toJson(report) + "\n");
    }

    public static String toJson(TrainingReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("machine", ReportJson.machine(report.machine()));
        root.put("settings", report.settings());
        root.put("threadsHook", report.threadsHook());
        root.put("batch", report.batch());
        ArrayNode rows = root.putArray("training");
        for (TrainingReport.Row r : report.results()) {
            ObjectNode n = rows.addObject();
            n.put("net", r.net());
            n.put("norm", r.norm());
            n.put("face", r.face());
            n.put("threads", r.threads());
            number(n, "msPerStep", r.msPerStep());
            number(n, "samplesPerSecond", r.samplesPerSecond());
            number(n, "samplesPerSecondError", r.samplesPerSecondError());
            number(n, "samplesPerSecondMedian", r.samplesPerSecondMedian());
        }
        ArrayNode skipped = root.putArray("skipped");
        for (TrainingPlan.Skip s : report.skipped()) {
            ObjectNode n = skipped.addObject();
            n.put("net", s.net());
            n.put("norm", s.norm());
            n.put("face", s.face());
            n.put("reason", s.reason());
        }
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the training report: " + e.getMessage(), e);
        }
    }

    public static TrainingReport read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read training results " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static TrainingReport parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.has("machine") || !root.has("training")) {
            throw new IllegalArgumentException("not a training report: the members \"machine\" and \"training\" "
                    + "are required");
        }
        MachineInfo machine = ReportJson.machine(root.get("machine"));
        List<TrainingReport.Row> rows = new ArrayList<>();
        for (JsonNode n : root.get("training")) {
            rows.add(new TrainingReport.Row(n.path("net").asText(), n.path("norm").asText(), n.path("face").asText(),
                    n.path("threads").asInt(), number(n, "samplesPerSecond"), number(n, "samplesPerSecondError"),
                    number(n, "msPerStep"), number(n, "samplesPerSecondMedian")));
        }
        List<TrainingPlan.Skip> skipped = new ArrayList<>();
        for (JsonNode n : root.path("skipped")) {
            skipped.add(new TrainingPlan.Skip(n.path("net").asText(), n.path("norm").asText(),
                    n.path("face").asText("*"), n.path("reason").asText()));
        }
        return new TrainingReport(machine, root.path("settings").asText(""), root.path("threadsHook").asText(""),
                root.path("batch").asInt(TrainingWorkload.BATCH), rows, skipped);
    }

    private static void number(ObjectNode n, String name, double value) {
        if (Double.isFinite(value)) {
            n.put(name, value);
        } else {
            n.putNull(name);
        }
    }

    private static double number(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }
}
