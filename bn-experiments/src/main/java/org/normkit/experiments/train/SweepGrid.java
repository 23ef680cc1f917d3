package org.normkit.experiments.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.experiments.replica.Replication;
import org.normkit.experiments.report.SweptSetting;
import org.normkit.experiments.report.Variation;

/**
 * The points of a sweep: the experiment's configuration with every combination of the varied settings' values (one
 * setting, or two as a grid), each point an {@link ExperimentConfig} of its own. The settings of experiment that a
 * point changes are those of {@link SweptSetting#NAMED}; an option of the norms ({@code groups}) is set in the label
 * of every norm of {@code --norms}, which must all take it: a norm that does not is an error naming it and the norms
 * that do, rather than a norm silently trained once and drawn as if it had been varied.
 */
final class SweepGrid {

    /** Options every norm takes: its spec's fields, and the sequence nets' slot flags. */
    static final Set<String> COMMON_OPTIONS = Set.of("eps", "momentum", "affine", "track_running_stats",
            NormSlot.MASKED, NormSlot.PER_STEP);

    /** The most settings one sweep varies: a line or bar chart per value of the second. */
    static final int MOST_SETTINGS = 2;

    /**
     * One point of the grid.
     *
     * @param config the experiment at this point
     * @param values the value of each varied setting here, in the order of the variations
     */
    record Point(ExperimentConfig config, List<String> values) {}

    private SweepGrid() {}

    /** The points of {@code variations} over {@code base}, the first setting's values outermost. */
    static List<Point> points(ExperimentConfig base, List<Variation> variations, NormRegistry registry) {
        if (variations.isEmpty()) {
            throw new IllegalArgumentException("--vary: name a setting to vary, e.g. --vary init=default,xavier");
        }
        if (variations.size() > MOST_SETTINGS) {
            throw new IllegalArgumentException("--vary is given " + variations.size() + " times: a sweep varies one "
                    + "setting, or two as a grid; run the others as separate sweeps");
        }
        if (variations.size() == 2 && variations.get(0).setting().name().equals(variations.get(1).setting().name())) {
            throw new IllegalArgumentException("--vary " + variations.get(0).setting().name() + " is given twice: "
                    + "list all its values in one --vary");
        }
        for (Variation variation : variations) {
            variation.setting().optionKey().ifPresent(key -> requireTakenByAll(base.norms(), variation.setting(),
                    registry));
        }
        List<Point> points = new ArrayList<>(List.of(new Point(base, List.of())));
        for (Variation variation : variations) {
            List<Point> next = new ArrayList<>();
            for (Point point : points) {
                for (String value : variation.values()) {
                    List<String> values = new ArrayList<>(point.values());
                    values.add(value);
                    next.add(new Point(apply(point.config(), variation.setting(), value), List.copyOf(values)));
                }
            }
            points = next;
        }
        return points;
    }

    /** {@code config} with {@code setting} at {@code value}; the configuration's own checks apply. */
    static ExperimentConfig apply(ExperimentConfig config, SweptSetting setting, String value) {
        if (setting.optionKey().isPresent()) {
            return config.withNorms(config.norms().stream().map(label -> setting.normLabel(label, value)).toList());
        }
        return switch (setting.name()) {
            case "batch-size" -> config.withBatchSize(Integer.parseInt(value));
            case "lr" -> config.withLr(Double.parseDouble(value));
            case "weight-decay" -> config.withWeightDecay(Double.parseDouble(value));
            case "dropout" -> config.withDropout(Double.parseDouble(value));
            case "grad-penalty" -> config.withGradPenalty(Double.parseDouble(value));
            case "init" -> config.withInit(value);
            case "lr-scaling" -> config.withLrScaling(value);
            case "optimizer" -> config.withOptimizer(value);
            case "net" -> config.withNet(value);
            case "face" -> config.withFace(Face.parse(value));
            default -> throw new IllegalStateException("no way to set " + setting.name() + " in an experiment");
        };
    }

    /** Every norm of {@code norms} takes the option and does not set it already. */
    private static void requireTakenByAll(List<String> norms, SweptSetting option, NormRegistry registry) {
        String key = option.optionKey().orElseThrow();
        List<String> taking = new ArrayList<>();
        List<String> notTaking = new ArrayList<>();
        Set<String> offered = new TreeSet<>(COMMON_OPTIONS);
        for (String label : norms) {
            if (option.isSetIn(label)) {
                throw new IllegalArgumentException("--vary " + key + ": --norms " + label + " sets " + key
                        + " already; leave it out of the label to vary it");
            }
            String norm = NormSlot.nameOf(label);
            boolean registered = !norm.equals(NormSlot.NONE) && !norm.equals(Replication.SYNC_BATCH_NORM)
                    && registry.contains(norm);
            Set<String> own = registered ? registry.get(norm).contract().optionNames() : Set.of();
            offered.addAll(own);
            if (registered && (COMMON_OPTIONS.contains(key) || own.contains(key))) {
                taking.add(norm);
            } else {
                notTaking.add(norm);
            }
        }
        if (notTaking.isEmpty()) {
            return;
        }
        if (taking.isEmpty()) {
            throw new IllegalArgumentException("--vary " + key + " is neither a setting a sweep can vary ("
                    + SweptSetting.names() + ") nor an option of the norms in --norms (they take "
                    + String.join(", ", offered) + ")");
        }
        throw new IllegalArgumentException("--vary " + key + ": " + String.join(", ", notTaking) + " take"
                + (notTaking.size() == 1 ? "s" : "") + " no option " + key + " (" + String.join(", ", taking)
                + (taking.size() == 1 ? " does" : " do") + "); a norm option is varied in every norm of --norms, so "
                + "list only norms that take it");
    }
}
