package org.normkit.experiments.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Short names for configurations in tables and legends: the norm, followed by only those settings that differ
 * between the configurations shown ("batch_norm lr=0.01"), since a setting that all rows share belongs in the
 * configuration table, not repeated on every line.
 */
final class ConfigLabels {

    private record Setting(String name, Function<RunConfig, String> value) {}

    private static final List<Setting> SETTINGS = List.of(
            new Setting("net", RunConfig::net),
            new Setting("batch_size", config -> Integer.toString(config.batchSize())),
            new Setting("lr", config -> Numbers.plain(config.lr())),
            new Setting("optimizer", RunConfig::optimizer),
            new Setting("weight_decay", config -> Numbers.plain(config.weightDecay())),
            new Setting("dropout", config -> Numbers.plain(config.dropout())),
            new Setting("init", RunConfig::init),
            new Setting("lr_scaling", RunConfig::lrScaling),
            new Setting("face", RunConfig::face),
            new Setting("grad_penalty", config -> Numbers.plain(config.gradPenalty())));

    private ConfigLabels() {}

    /** A label for each of {@code configs}, leaving out the setting named {@code ignored} (e.g. the swept one). */
    static Map<RunConfig, String> of(Collection<RunConfig> configs, String ignored) {
        List<Setting> varying = new ArrayList<>();
        for (Setting setting : SETTINGS) {
            Set<String> values = configs.stream().map(setting.value()).collect(Collectors.toSet());
            if (values.size() > 1 && !setting.name().equals(ignored)) {
                varying.add(setting);
            }
        }
        Map<RunConfig, String> labels = new LinkedHashMap<>();
        for (RunConfig config : configs) {
            StringBuilder label = new StringBuilder(config.norm());
            for (Setting setting : varying) {
                label.append(' ').append(setting.name()).append('=').append(setting.value().apply(config));
            }
            labels.put(config, label.toString());
        }
        return labels;
    }

    /** The settings of {@code config} other than norm and {@code ignored}, equal for configurations on one curve. */
    static String settingsExcept(RunConfig config, String ignored) {
        return SETTINGS.stream().filter(setting -> !setting.name().equals(ignored))
                .map(setting -> setting.name() + "=" + setting.value().apply(config))
                .collect(Collectors.joining(" "));
    }
}
