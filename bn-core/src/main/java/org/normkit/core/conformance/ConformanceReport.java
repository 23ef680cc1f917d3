package org.normkit.core.conformance;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.normkit.autograd.check.Comparison;
import org.normkit.autograd.io.AtomicFiles;

/** The results of a conformance run: one line per case, the count line, and a JSON form for tools. */
public record ConformanceReport(List<CaseResult> results) {

    public ConformanceReport {
        results = List.copyOf(results);
    }

    public long passed() {
        return results.stream().filter(CaseResult::passed).count();
    }

    /** Failed and unserved cases. */
    public long failed() {
        return results.size() - passed();
    }

    public boolean allPassed() {
        return failed() == 0;
    }

    /** Exactly {@code N passed, M failed}: the last line a run prints. */
    public String summaryLine() {
        return passed() + " passed, " + failed() + " failed";
    }

    /** One line per case, then the summary line. */
    public List<String> lines() {
        List<String> lines = new java.util.ArrayList<>();
        results.forEach(r -> lines.add(r.line()));
        lines.add(summaryLine());
        return lines;
    }

    /** Writes the per-case results as JSON, atomically (a temporary file moved into place). */
    public void writeJson(Path target) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("format", "normkit-conformance-results/1");
        root.put("passed", passed());
        root.put("failed", failed());
        ArrayNode cases = root.putArray("cases");
        for (CaseResult r : results) {
            ObjectNode c = cases.addObject();
            c.put("name", r.name());
            c.put("norm", r.norm());
            c.put("provider", r.provider());
            c.put("status", r.status().name().toLowerCase(Locale.ROOT));
            c.put("line", r.line());
            ArrayNode notes = c.putArray("notes");
            r.notes().forEach(notes::add);
            ArrayNode faces = c.putArray("faces");
            for (CaseResult.FaceResult f : r.faces()) {
                ObjectNode face = faces.addObject();
                face.put("face", f.face().name().toLowerCase(Locale.ROOT));
                face.put("passed", f.passed());
                ArrayNode comparisons = face.putArray("comparisons");
                for (Comparison cmp : f.comparisons()) {
                    ObjectNode o = comparisons.addObject();
                    o.put("tensor", cmp.what());
                    o.put("passed", cmp.passed());
                    o.put("worstIndex", cmp.index());
                    o.put("actual", cmp.actual());
                    o.put("expected", cmp.expected());
                    o.put("usage", cmp.worstUsage());
                    o.put("abs", cmp.tolerance().abs());
                    o.put("rel", cmp.tolerance().rel());
                }
                ArrayNode problems = face.putArray("problems");
                f.problems().forEach(problems::add);
            }
        }
        try {
            AtomicFiles.writeBytes(target, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not render the conformance results as JSON: " + e.getMessage(), e);
        }
    }
}
