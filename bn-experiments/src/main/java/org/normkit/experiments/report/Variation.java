package org.normkit.experiments.report;

import java.util.List;

/**
 * One {@code --vary}: the setting a sweep varies and its values, in the order given, each once and spelled as
 * {@link SweptSetting#normalise} spells it.
 */
public record Variation(SweptSetting setting, List<String> values) {

    public Variation {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("--vary " + setting.name() + " needs at least one value");
        }
        values = List.copyOf(values);
    }

    /** A numeric setting over {@code values}, e.g. batch sizes 16 and 64. */
    public static Variation of(SweptSetting setting, List<Double> values) {
        return new Variation(setting, values.stream().map(v -> setting.normalise(Numbers.plain(v))).distinct()
                .toList());
    }
}
