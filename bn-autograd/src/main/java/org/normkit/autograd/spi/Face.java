package org.normkit.autograd.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which face of a normalization runs: the {@link #REFERENCE} (composed autograd ops, the obviously right one), the
 * {@link #FUSED} kernel with its analytic backward (the fast one), or {@link #AUTO} (the fused one when the norm has
 * it). The one word for a face everywhere: layers, {@link #scope scopes}, the CLI's {@code --face}, the benchmarks'
 * face column and the conformance runner.
 *
 * <p>Set per layer, or for a block of code with {@link #scope}, which wins over AUTO layers: that is how checks and
 * benchmarks run a whole network on one face.
 */
public enum Face {
    AUTO, REFERENCE, FUSED;

    /** The two faces a norm can have, in the order checks and reports list them ({@code both} on the CLI). */
    public static final List<Face> BOTH = List.of(REFERENCE, FUSED);

    private static final ThreadLocal<Face> SCOPED = ThreadLocal.withInitial(() -> AUTO);

    /** The face set by the innermost open scope on this thread (AUTO when none). */
    public static Face scoped() {
        return SCOPED.get();
    }

    /** Runs every AUTO layer on this thread on {@code face} until the scope closes; scopes nest. */
    public static Scope scope(Face face) {
        Face previous = SCOPED.get();
        SCOPED.set(face);
        return () -> SCOPED.set(previous);
    }

    /** The lower-case name used on the command line and in reports: {@code reference}, {@code fused}, {@code auto}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return id();
    }

    /** {@code reference}, {@code fused} or {@code auto}, any case. */
    public static Face parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown face '" + text + "': expected reference, fused or auto");
        }
    }

    /** {@code reference} or {@code fused}: where a tool times or checks one face in particular (AUTO is neither). */
    public static Face parseConcrete(String text) {
        Face face = text.trim().equalsIgnoreCase("auto") ? null : parseOrNull(text);
        if (face == null) {
            throw new IllegalArgumentException("unknown face '" + text + "': expected reference or fused");
        }
        return face;
    }

    /** {@code both}, or a comma-separated list of {@code reference} and {@code fused}: the faces a check runs. */
    public static List<Face> parseList(String text) {
        if (text.trim().equalsIgnoreCase("both")) {
            return BOTH;
        }
        List<Face> faces = new ArrayList<>();
        for (String part : text.split(",")) {
            Face face = part.trim().equalsIgnoreCase("auto") ? null : parseOrNull(part);
            if (face == null) {
                throw new IllegalArgumentException("unknown face '" + part.trim() + "': expected reference, fused or "
                        + "both");
            }
            if (!faces.contains(face)) {
                faces.add(face);
            }
        }
        return List.copyOf(faces);
    }

    private static Face parseOrNull(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A block in which AUTO layers run one face; closing it restores the enclosing one. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
