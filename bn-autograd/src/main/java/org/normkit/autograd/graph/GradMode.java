package org.normkit.autograd.graph;

/**
 * Whether ops record themselves in the graph, per thread. {@code try (var scope = GradMode.noGrad()) {...}} turns
 * recording off for evaluation and for optimizer updates, as {@code torch.no_grad()} does.
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Turns recording off until the returned scope closes; scopes nest. */
    public static Scope noGrad() {
        return set(false);
    }

    /** Turns recording on until the returned scope closes (inside a noGrad scope, for example). */
    public static Scope enableGrad() {
        return set(true);
    }

    private static Scope set(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return () -> ENABLED.set(previous);
    }

    /** A scope that restores the previous mode when closed. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
