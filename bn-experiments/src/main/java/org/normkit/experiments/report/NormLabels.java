package org.normkit.experiments.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads and edits the options in a norm's label, {@code name:key=value:key=value} ({@code group_norm:groups=2}), as
 * the {@code norm} column of results.csv holds it: how a sweep over a norm option sets and finds its values.
 */
final class NormLabels {

    private NormLabels() {}

    /** The value of {@code key} in {@code label}, if the label sets it. */
    static Optional<String> option(String label, String key) {
        String[] parts = label.split(":", -1);
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0 && parts[i].substring(0, eq).equals(key)) {
                return Optional.of(parts[i].substring(eq + 1));
            }
        }
        return Optional.empty();
    }

    /** {@code label} with {@code key} set to {@code value}: replaced where it stood, else added at the end. */
    static String withOption(String label, String key, String value) {
        List<String> parts = new ArrayList<>(List.of(label.split(":", -1)));
        for (int i = 1; i < parts.size(); i++) {
            if (parts.get(i).startsWith(key + "=")) {
                parts.set(i, key + "=" + value);
                return String.join(":", parts);
            }
        }
        return label + ":" + key + "=" + value;
    }

    /** {@code label} without {@code key}. */
    static String withoutOption(String label, String key) {
        String[] parts = label.split(":", -1);
        List<String> kept = new ArrayList<>(List.of(parts[0]));
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].startsWith(key + "=")) {
                kept.add(parts[i]);
            }
        }
        return String.join(":", kept);
    }
}
