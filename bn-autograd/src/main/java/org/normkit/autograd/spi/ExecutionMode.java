package org.normkit.autograd.spi;

/**
 * Which face a normalization runs: the reference (composed autograd ops), the fused kernel, or AUTO (the fused one
 * when the norm has it). Set per layer, or for a block of code with {@link #scope}, which wins over AUTO layers:
 * that is how checks and benchmarks run a whole network on one face.
 */
public enum ExecutionMode {
    REFERENCE, FUSED, AUTO;

    private static final ThreadLocal<ExecutionMode> SCOPED = ThreadLocal.withInitial(() -> AUTO);

    /** The mode set by the innermost open scope on this thread (AUTO when none). */
    public static ExecutionMode scoped() {
        return SCOPED.get();
    }

    /** Runs every AUTO layer on this thread in {@code mode} until the scope closes; scopes nest. */
    public static Scope scope(ExecutionMode mode) {
        ExecutionMode previous = SCOPED.get();
        SCOPED.set(mode);
        return () -> SCOPED.set(previous);
    }

    public static ExecutionMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown face '" + text + "': expected reference, fused or auto");
        }
    }

    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
