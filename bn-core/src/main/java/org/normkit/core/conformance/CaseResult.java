package org.normkit.core.conformance;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.normkit.autograd.check.Comparison;
import org.normkit.autograd.spi.Face;

/**
 * The outcome of one conformance case: passed, failed (some face produced a wrong or missing tensor, or an error)
 * or unserved (no registered norm serves the case; counted as failed).
 *
 * @param name     the case's name
 * @param norm     the case's {@code norm} member
 * @param provider the registry name that ran it (or that was looked for, when unserved)
 * @param status   the verdict
 * @param faces    one result per face run, in order
 * @param notes    remarks that are not failures ("no fused face: checked on the reference face only"), or, when
 *                 unserved or failed before any face ran, the reason
 */
public record CaseResult(String name, String norm, String provider, Status status, List<FaceResult> faces,
                         List<String> notes) {

    public enum Status { PASSED, FAILED, UNSERVED }

    /** The comparisons and problems of one face. */
    public record FaceResult(Face face, List<Comparison> comparisons, List<String> problems) {
        public boolean passed() {
            return problems.isEmpty() && comparisons.stream().allMatch(Comparison::passed);
        }

        /** The largest share of its tolerance any tensor used (0 when nothing was compared). */
        public double worstUsage() {
            return comparisons.stream().mapToDouble(Comparison::worstUsage).max().orElse(0);
        }
    }

    public boolean passed() {
        return status == Status.PASSED;
    }

    /** One line: verdict, name, provider and faces; on a failure every failing tensor with its worst element. */
    public String line() {
        switch (status) {
            case UNSERVED:
                return "UNSERVED " + name + ": " + String.join("; ", notes);
            case PASSED: {
                double worst = faces.stream().mapToDouble(FaceResult::worstUsage).max().orElse(0);
                return "PASS " + name + " [" + provider + ", " + faceNames() + "] worst "
                        + String.format(Locale.ROOT, "%.2g", worst) + " of the tolerance"
                        + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
            }
            default: {
                StringBuilder s = new StringBuilder("FAIL ").append(name).append(" [").append(provider);
                if (!faces.isEmpty()) {
                    s.append(", ").append(faceNames());
                }
                s.append("]");
                for (String note : notes) {
                    s.append(' ').append(note).append(';');
                }
                for (FaceResult f : faces) {
                    if (f.passed()) {
                        continue;
                    }
                    String face = f.face().name().toLowerCase(Locale.ROOT);
                    for (Comparison c : f.comparisons()) {
                        if (!c.passed()) {
                            s.append(' ').append(face).append(" face: ").append(c.describe()).append(';');
                        }
                    }
                    for (String p : f.problems()) {
                        s.append(' ').append(face).append(" face: ").append(p).append(';');
                    }
                }
                return s.charAt(s.length() - 1) == ';' ? s.substring(0, s.length() - 1) : s.toString();
            }
        }
    }

    private String faceNames() {
        return faces.stream().map(f -> f.face().name().toLowerCase(Locale.ROOT)).collect(Collectors.joining("+"));
    }
}
