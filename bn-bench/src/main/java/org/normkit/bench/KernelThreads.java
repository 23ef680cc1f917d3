package org.normkit.bench;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Sets how many threads the fused kernels may use, before each trial, like {@code torch.set_num_threads}. This
 * module cannot depend on the kernels' own class (it may not exist in a given build), so the hook is found by name:
 *
 * <ol>
 *   <li>the system property {@value #PROPERTY} is set to the count (for kernels that read it when they size
 *       their pool);</li>
 *   <li>{@code public static void} {@value #SETTER_CLASS}{@code .}{@value #SETTER_METHOD}{@code (int)} is called when
 *       that class exists; it must take effect for the next kernel call, because a quick run times every thread
 *       count in one JVM.</li>
 * </ol>
 *
 * <p>The copy baseline does not go through here: it splits its own copy over the same number of threads.
 */
public final class KernelThreads {
    public static final String PROPERTY = "normkit.threads";
    public static final String SETTER_CLASS = "org.normkit.core.Parallelism";
    public static final String SETTER_METHOD = "setNumThreads";

    private KernelThreads() {}

    /** Applies {@code threads} through every hook present; returns what took it, for the report. */
    public static String apply(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ": the kernel thread count must be >= 1");
        }
        System.setProperty(PROPERTY, Integer.toString(threads));
        Method setter = setter();
        if (setter == null) {
            return describe();
        }
        try {
            setter.invoke(null, threads);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(SETTER_CLASS + "." + SETTER_METHOD + "(" + threads + ") failed: "
                    + e.getCause(), e);
        }
        return describe();
    }

    /** One line: which hook exists in this JVM. */
    public static String describe() {
        return setter() != null
                ? SETTER_CLASS + "." + SETTER_METHOD + "(int) and -D" + PROPERTY
                : "none found: only -D" + PROPERTY + " is set (" + SETTER_CLASS + "." + SETTER_METHOD
                        + "(int) is absent), so unless the kernels read that property, threads=2 runs "
                        + "the same code as threads=1";
    }

    /** Whether the kernels' setter is on the class path. */
    public static boolean setterPresent() {
        return setter() != null;
    }

    private static Method setter() {
        try {
            Class<?> type = Class.forName(SETTER_CLASS, true, KernelThreads.class.getClassLoader());
            Method m = type.getMethod(SETTER_METHOD, int.class);
            return Modifier.isStatic(m.getModifiers()) ? m : null;
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return null;
        }
    }
}
