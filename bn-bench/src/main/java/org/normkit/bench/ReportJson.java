package org.normkit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.normkit.autograd.io.AtomicFiles;

/**
 * The JSON form of a report:
 *
 * <pre>{@code
 * {"machine": {"cpu", "cores", "runtime", "flags", "date"},
 *  "results": [{"norm", "shape": "32x64x56x56", "dtype", "pass", "face", "threads", "ms", "copyMs", "ratioToCopy",
 *               ...}, ...]}
 * }</pre>
 *
 * <p>and, per row, {@code msError}, {@code bytesUnits} and {@code gbPerSecond}, and at the top {@code settings},
 * {@code threadsHook}, {@code bytesModel}, {@code skipped} (what did not run, and why) and {@code specs}. A reader
 * needs only {@code machine} and {@code results}; unknown numbers are {@code null}.
 */
public final class ReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {}

    /** Writes the report atomically (temporary file, then a move). */
    public static void write(Path target, BenchReport report) {
        AtomicFiles.writeString(target, toJson(report) + "\n");
    }

    public static String toJson(BenchReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("machine", machine(report.machine()));
        root.put("settings", report.settings());
        root.put("threadsHook", report.threadsHook());
        ObjectNode bytes = root.putObject("bytesModel");
        bytes.put("unit", "one read or one write of a tensor of the input's size");
        bytes.set("batch_norm*", units(BytesModel.BATCH));
        bytes.set("others", units(BytesModel.PER_SAMPLE));
        bytes.put("copy", BytesModel.COPY_UNITS);
        ArrayNode results = root.putArray("results");
        report.results().forEach(r -> results.add(row(r)));
        ArrayNode skipped = root.putArray("skipped");
        for (SuitePlan.Skip s : report.skipped()) {
            ObjectNode n = skipped.addObject();
            n.put("norm", s.norm());
            n.put("shape", s.shape());
            n.put("dtype", s.dtype());
            n.put("pass", s.pass());
            n.put("face", s.face());
            n.put("threads", s.threads());
            n.put("reason", s.reason());
        }
        ObjectNode specs = root.putObject("specs");
        report.specs().forEach(specs::put);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the report: " + e.getMessage(), e);
        }
    }

    /** Reads a report written by {@link #write}. */
    public static BenchReport read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read benchmark results " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a report written by {@link #toJson}. */
    public static BenchReport parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.has("machine") || !root.has("results")) {
            throw new IllegalArgumentException("not a benchmark report: the members \"machine\" and \"results\" "
                    + "are required");
        }
        MachineInfo machine = machine(root.get("machine"));
        List<BenchResult> results = new ArrayList<>();
        for (JsonNode n : root.get("results")) {
            results.add(row(n));
        }
        List<SuitePlan.Skip> skipped = new ArrayList<>();
        for (JsonNode n : root.path("skipped")) {
            skipped.add(new SuitePlan.Skip(n.path("norm").asText(), n.path("shape").asText(),
                    n.path("dtype").asText("*"), n.path("pass").asText("*"), n.path("face").asText(),
                    n.path("threads").asText("*"), n.path("reason").asText()));
        }
        Map<String, String> specs = new LinkedHashMap<>();
        root.path("specs").fields().forEachRemaining(e -> specs.put(e.getKey(), e.getValue().asText()));
        return new BenchReport(machine, root.path("settings").asText(""), root.path("threadsHook").asText(""),
                results, skipped, specs);
    }

    /** The shared schema's machine header; the training report writes the same one. */
    static ObjectNode machine(MachineInfo m) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("cpu", m.cpu());
        n.put("cores", m.cores());
        n.put("runtime", m.runtime());
        n.put("flags", m.flags());
        n.put("date", m.date());
        return n;
    }

    static MachineInfo machine(JsonNode n) {
        return new MachineInfo(n.path("cpu").asText(""), n.path("cores").asInt(0), n.path("runtime").asText(""),
                n.path("flags").asText(""), n.path("date").asText(""));
    }

    private static ObjectNode units(BytesModel model) {
        ObjectNode n = MAPPER.createObjectNode();
        for (BenchPass p : BenchPass.values()) {
            n.put(p.id(), model.units(p));
        }
        return n;
    }

    private static ObjectNode row(BenchResult r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("norm", r.norm());
        n.put("shape", r.shape());
        n.put("dtype", r.dtype());
        n.put("pass", r.pass());
        n.put("face", r.face());
        n.put("threads", r.threads());
        number(n, "ms", r.ms());
        number(n, "copyMs", r.copyMs());
        number(n, "ratioToCopy", r.ratioToCopy());
        number(n, "msError", r.msError());
        if (r.bytesUnits() > 0) {
            n.put("bytesUnits", r.bytesUnits());
        }
        number(n, "gbPerSecond", r.gbPerSecond());
        return n;
    }

    private static BenchResult row(JsonNode n) {
        for (String member : new String[] {"norm", "shape", "dtype", "pass", "face", "threads", "ms"}) {
            if (!n.has(member)) {
                throw new IllegalArgumentException("a result row lacks \"" + member + "\": " + n);
            }
        }
        double ms = number(n, "ms");
        double copyMs = number(n, "copyMs");
        double ratio = n.hasNonNull("ratioToCopy") ? number(n, "ratioToCopy") : ms / copyMs;
        return new BenchResult(n.get("norm").asText(), n.get("shape").asText(), n.get("dtype").asText(),
                n.get("pass").asText(), n.get("face").asText(), n.get("threads").asInt(), ms, number(n, "msError"),
                copyMs, ratio, n.path("bytesUnits").asInt(0), number(n, "gbPerSecond"));
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
