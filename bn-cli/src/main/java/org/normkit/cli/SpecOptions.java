package org.normkit.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.NormalizationProvider;

/**
 * The {@code --option KEY=VALUE} pairs of a command that builds a norm: the settings every norm has ({@code eps},
 * {@code momentum}, {@code affine}, {@code track_running_stats}, as in PyTorch's constructors) and the norm's own
 * options ({@link org.normkit.autograd.spi.InputContract#optionNames()}). An unknown key, or a value that does not
 * parse, is an error listing what the norm takes: an option that is silently ignored makes a check pass that was
 * never run.
 */
final class SpecOptions {

    static final List<String> COMMON = List.of("eps", "momentum", "affine", "track_running_stats");

    private SpecOptions() {}

    /** {@code NormSpec.of(1)} with {@code options} applied; the shape fills in the rest later. */
    static NormSpec base(Map<String, String> options, NormalizationProvider provider) {
        NormSpec spec = NormSpec.of(1);
        for (Map.Entry<String, String> option : options.entrySet()) {
            String key = option.getKey();
            String value = option.getValue().trim();
            switch (key) {
                case "eps" -> spec = spec.withEps(positive(key, value));
                case "momentum" -> spec = value.equalsIgnoreCase("none") ? spec.withCumulativeAverage()
                        : spec.withMomentum(fraction(key, value));
                case "affine" -> spec = spec.withAffine(bool(key, value));
                case "track_running_stats" -> spec = spec.withTrackRunningStats(bool(key, value));
                default -> {
                    if (!provider.contract().optionNames().contains(key)) {
                        throw new IllegalArgumentException("--option " + key + ": " + provider.name()
                                + " has no option '" + key + "'; its options: " + known(provider));
                    }
                    spec = spec.withOption(key, value);
                }
            }
        }
        return spec;
    }

    private static String known(NormalizationProvider provider) {
        List<String> names = new ArrayList<>(COMMON);
        names.addAll(new TreeSet<>(provider.contract().optionNames()));
        return String.join(", ", names);
    }

    private static double positive(String key, String value) {
        double parsed = number(key, value, "a number > 0, e.g. eps=1e-5");
        if (!(parsed > 0) || !Double.isFinite(parsed)) {
            throw new IllegalArgumentException("--option " + key + "=" + value + ": expected a number > 0, e.g. "
                    + "eps=1e-5");
        }
        return parsed;
    }

    private static double fraction(String key, String value) {
        double parsed = number(key, value, "a number in [0, 1], or none for the cumulative average");
        if (!(parsed >= 0 && parsed <= 1)) {
            throw new IllegalArgumentException("--option " + key + "=" + value + ": expected a number in [0, 1], or "
                    + "none for the cumulative average");
        }
        return parsed;
    }

    private static double number(String key, String value, String expected) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--option " + key + "=" + value + ": not a number; expected "
                    + expected, e);
        }
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--option " + key + "=" + value + ": expected true or "
                    + "false");
        };
    }
}
