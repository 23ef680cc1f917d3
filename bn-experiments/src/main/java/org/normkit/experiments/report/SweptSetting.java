package org.normkit.experiments.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.DoublePredicate;
import java.util.function.Function;

/**
 * A setting a sweep varies ({@code normkit sweep --vary NAME=V1,V2,…}), how a run's {@link RunConfig} holds it, and
 * where each of its values sits on the report's axis.
 *
 * <p><b>Numeric</b> settings (batch size, learning rate, weight decay, dropout, gradient penalty, and a norm option
 * whose values are all numbers, such as {@code groups}) are drawn as lines against their values; a value's position
 * is the value itself. <b>Categorical</b> settings (initialisation, learning-rate scaling, optimizer, net, face, and a
 * norm option with a value that is not a number, such as {@code masked=true,false}) are drawn as grouped bars; a
 * value's position is its rank in {@link #values()}, which puts the default first, so that the report compares every
 * other value against it.
 *
 * <p>A <b>norm option</b> ({@code groups}, {@code eps}, {@code momentum}, …) lives in the norm's label in the
 * {@code norm} column ({@code group_norm:groups=2}); the other settings each have a column of {@code results.csv}.
 *
 * <p>Values are kept as text in one spelling ({@link #normalise}): numbers as the shortest plain decimal
 * ({@code 1e-3} is {@code 0.001}), so that a value reads back from results.csv as it was asked for.
 */
public final class SweptSetting {

    /** What a categorical axis's and a numeric axis's values are; {@code *} stands for "any value" in a curve's key. */
    private static final String ANY = "*";

    public static final SweptSetting BATCH_SIZE = numeric("batch-size", "batch_size", "batch size",
            "a batch size (a whole number >= 1)", v -> v >= 1 && v == Math.rint(v) && v <= 1 << 20,
            config -> Integer.toString(config.batchSize()), (config, v) -> config.withBatchSize(Integer.parseInt(v)),
            "1");
    public static final SweptSetting LEARNING_RATE = numeric("lr", "lr", "learning rate",
            "a learning rate (a number > 0)", v -> v > 0 && Double.isFinite(v),
            config -> Numbers.plain(config.lr()), (config, v) -> config.withLr(Double.parseDouble(v)), "1");
    public static final SweptSetting WEIGHT_DECAY = numeric("weight-decay", "weight_decay", "weight decay",
            "a weight decay (a number >= 0)", v -> v >= 0 && Double.isFinite(v),
            config -> Numbers.plain(config.weightDecay()),
            (config, v) -> config.withWeightDecay(Double.parseDouble(v)), "0");
    public static final SweptSetting DROPOUT = numeric("dropout", "dropout", "dropout",
            "a dropout probability (a number in [0, 1))", v -> v >= 0 && v < 1,
            config -> Numbers.plain(config.dropout()), (config, v) -> config.withDropout(Double.parseDouble(v)), "0");
    public static final SweptSetting GRAD_PENALTY = numeric("grad-penalty", "grad_penalty", "gradient penalty",
            "a gradient penalty λ (a number >= 0)", v -> v >= 0 && Double.isFinite(v),
            config -> Numbers.plain(config.gradPenalty()),
            (config, v) -> config.withGradPenalty(Double.parseDouble(v)), "0");
    public static final SweptSetting INIT = categorical("init", "init", "initialisation", "an initialisation",
            List.of(RunConfig.DEFAULT_INIT, "xavier", "kaiming"), RunConfig::init, RunConfig::withInit);
    public static final SweptSetting LR_SCALING = categorical("lr-scaling", "lr_scaling", "learning-rate scaling",
            "a learning-rate scaling", List.of(RunConfig.NO_SCALING, "linear"), RunConfig::lrScaling,
            RunConfig::withLrScaling);
    public static final SweptSetting OPTIMIZER = categorical("optimizer", "optimizer", "optimizer", "an optimizer",
            List.of("sgd", "adam"), RunConfig::optimizer, RunConfig::withOptimizer);
    public static final SweptSetting NET = categorical("net", "net", "net", "a net",
            List.of("mlp", "lenet", "transformer", "lstm"), RunConfig::net, RunConfig::withNet);
    public static final SweptSetting FACE = categorical("face", "face", "face", "a face",
            List.of(RunConfig.AUTO_FACE, "fused", "reference"), RunConfig::face, RunConfig::withFace);

    /** Every setting a sweep varies besides the norms' options, by the name {@code --vary} takes. */
    public static final Map<String, SweptSetting> NAMED = named(BATCH_SIZE, LEARNING_RATE, WEIGHT_DECAY, DROPOUT,
            GRAD_PENALTY, INIT, LR_SCALING, OPTIMIZER, NET, FACE);

    /** Options of experiment that a sweep does not vary: they size or place the job rather than define a run. */
    private static final List<String> NOT_VARIED = List.of("epochs", "seeds", "norms", "norm", "data", "out", "threads",
            "limit-train", "limit-test", "text", "engine", "parallel", "master", "replicas", "sync-bn");

    private final String name;
    private final String column;
    private final String words;
    private final String noun;
    private final boolean numeric;
    private final DoublePredicate valid;
    private final List<String> values;
    private final Function<RunConfig, String> read;
    private final BiFunction<RunConfig, String, RunConfig> write;
    private final String neutral;
    private final String optionKey;

    private SweptSetting(String name, String column, String words, String noun, boolean numeric, DoublePredicate valid,
                         List<String> values, Function<RunConfig, String> read,
                         BiFunction<RunConfig, String, RunConfig> write, String neutral, String optionKey) {
        this.name = name;
        this.column = column;
        this.words = words;
        this.noun = noun;
        this.numeric = numeric;
        this.valid = valid;
        this.values = List.copyOf(values);
        this.read = read;
        this.write = write;
        this.neutral = neutral;
        this.optionKey = optionKey;
    }

    private static SweptSetting numeric(String name, String column, String words, String noun, DoublePredicate valid,
                                        Function<RunConfig, String> read,
                                        BiFunction<RunConfig, String, RunConfig> write, String neutral) {
        return new SweptSetting(name, column, words, noun, true, valid, List.of(), read, write, neutral, null);
    }

    private static SweptSetting categorical(String name, String column, String words, String noun, List<String> values,
                                            Function<RunConfig, String> read,
                                            BiFunction<RunConfig, String, RunConfig> write) {
        return new SweptSetting(name, column, words, noun, false, v -> false, values, read, write, ANY, null);
    }

    private static Map<String, SweptSetting> named(SweptSetting... settings) {
        Map<String, SweptSetting> byName = new LinkedHashMap<>();
        for (SweptSetting setting : settings) {
            byName.put(setting.name, setting);
        }
        return java.util.Collections.unmodifiableMap(byName);
    }

    /**
     * The norms' option {@code key} ({@code groups}, {@code eps}, {@code momentum}, …) over {@code values}: numeric
     * when every value is a number, else categorical with the values in the order given.
     */
    public static SweptSetting normOption(String key, List<String> values) {
        boolean numbers = !values.isEmpty() && values.stream().allMatch(SweptSetting::isNumber);
        return new SweptSetting(key, "norm", key, "a value of " + key, numbers, v -> Double.isFinite(v),
                numbers ? List.of() : values, config -> NormLabels.option(config.norm(), key).orElse(""),
                (config, v) -> config.withNorm(NormLabels.withOption(config.norm(), key, v)), null, key);
    }

    /** The names {@code --vary} takes, for messages: "batch-size, lr, …, face". */
    public static String names() {
        return String.join(", ", NAMED.keySet());
    }

    /**
     * The setting {@code text} varies and its values, from {@code NAME=V1,V2,…}; a name that is not one of
     * {@link #NAMED} is taken as an option of the norms, which the runner checks against them. Repeated values count
     * once; errors are one line naming the setting and what it takes.
     */
    public static Variation parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--vary " + text + " has no setting=values: write it like "
                    + "init=default,xavier or batch-size=2,4,8");
        }
        String name = text.substring(0, eq).trim();
        if (text.substring(eq + 1).isBlank()) {
            throw new IllegalArgumentException("--vary " + name + " has no values: write them like " + name
                    + "=V1,V2,V3");
        }
        List<String> given = new ArrayList<>();
        for (String part : text.substring(eq + 1).split(",", -1)) {
            String value = part.trim();
            if (value.isEmpty()) {
                throw new IllegalArgumentException("--vary " + name + " has an empty value in '" + text.substring(eq + 1)
                        + "': separate the values by single commas");
            }
            if (!given.contains(value)) {
                given.add(value);
            }
        }
        SweptSetting setting = NAMED.get(name);
        if (setting == null) {
            if (NOT_VARIED.contains(name) || !name.matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException("--vary " + name + " is not a setting a sweep can vary: use one of "
                        + names() + ", or an option of the norms such as groups=1,2,4");
            }
            setting = normOption(name, given);
        }
        List<String> values = new ArrayList<>();
        for (String value : given) {
            String normal = setting.normalise(value);
            if (!values.contains(normal)) {
                values.add(normal);
            }
        }
        return new Variation(setting, values);
    }

    /** {@code value} in this setting's one spelling; an error naming the setting and what it takes otherwise. */
    public String normalise(String value) {
        if (optionKey != null) {
            if (value.contains(":") || value.contains("=")) {
                throw new IllegalArgumentException("--vary " + name + ": '" + value + "' cannot hold ':' or '=', "
                        + "which separate a norm's options");
            }
            return numeric ? Numbers.plain(Double.parseDouble(value)) : value;
        }
        if (numeric) {
            double v = isNumber(value) ? Double.parseDouble(value) : Double.NaN;
            if (!valid.test(v)) {
                throw new IllegalArgumentException("--vary " + name + ": '" + value + "' is not " + noun);
            }
            return Numbers.plain(v);
        }
        if (!values.contains(value)) {
            throw new IllegalArgumentException("--vary " + name + ": '" + value + "' is not " + noun + ": use "
                    + String.join(", ", values));
        }
        return value;
    }

    private static boolean isNumber(String text) {
        try {
            return Double.isFinite(Double.parseDouble(text.trim()));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The name {@code --vary} takes: {@code batch-size}, {@code init}, or the norm option's key. */
    public String name() {
        return name;
    }

    /** The column of {@code results.csv} that holds the setting ({@code norm} for a norm option). */
    public String column() {
        return column;
    }

    /** The setting in words, for sentences and axis titles: "batch size". */
    public String words() {
        return words;
    }

    /** Numeric (a line against the values) or categorical (a bar per value). */
    public boolean isNumeric() {
        return numeric;
    }

    /** The option key when this is an option of the norms, which lives in the norm's label. */
    public Optional<String> optionKey() {
        return Optional.ofNullable(optionKey);
    }

    /** A categorical setting's values in axis order, the default first; empty for a numeric one. */
    public List<String> values() {
        return values;
    }

    /** The value of the setting in {@code config}, spelled as {@link #normalise} spells it ("" when unset). */
    public String valueOf(RunConfig config) {
        return read.apply(config);
    }

    /** {@code config} with the setting at {@code value}. */
    public RunConfig apply(RunConfig config, String value) {
        return write.apply(config, value);
    }

    /**
     * {@code config} with this setting at one value that stands for all of them, so that the configurations of one
     * curve (one bar colour) of a sweep, which differ only in this setting, are equal: for a norm option, the label
     * without the option.
     */
    public RunConfig neutral(RunConfig config) {
        if (optionKey != null) {
            return config.withNorm(NormLabels.withoutOption(config.norm(), optionKey));
        }
        return write.apply(config, neutral);
    }

    /** {@code label} (a norm's, {@code group_norm:groups=2}) with this norm option at {@code value}. */
    public String normLabel(String label, String value) {
        if (optionKey == null) {
            throw new IllegalStateException(name + " is not an option of the norms");
        }
        return NormLabels.withOption(label, optionKey, value);
    }

    /** Whether {@code label} (a norm's) sets this norm option already. */
    public boolean isSetIn(String label) {
        return optionKey != null && NormLabels.option(label, optionKey).isPresent();
    }

    /** Where {@code value} sits on the axis: the number itself, or a categorical value's rank in {@link #values()}. */
    public double position(String value) {
        if (numeric) {
            return Double.parseDouble(value);
        }
        int rank = values.indexOf(value);
        if (rank < 0) {
            throw new IllegalArgumentException(name + " " + value + " is not a value of this sweep: " + values);
        }
        return rank;
    }

    /** The value at {@code position} of the axis. */
    public String label(double position) {
        return numeric ? Numbers.plain(position) : values.get((int) position);
    }

    /** "batch size 32", "learning rate 0.001", "initialisation xavier". */
    String at(double position) {
        return words + " " + label(position);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SweptSetting that && name.equals(that.name) && numeric == that.numeric
                && values.equals(that.values) && Objects.equals(optionKey, that.optionKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, numeric, values, optionKey);
    }

    @Override
    public String toString() {
        return name;
    }
}
