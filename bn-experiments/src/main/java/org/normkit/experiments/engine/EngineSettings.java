package org.normkit.experiments.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The command line's say in how an engine runs a grid.
 *
 * @param parallel how many runs train at the same time ({@code --parallel}); for Spark, the most tasks in flight
 * @param master   where Spark runs ({@code --master}: {@code local[2]}, {@code spark://host:7077}, ...); empty for
 *                 engines without one, and for Spark under {@code spark-submit}, which sets it
 * @param plugins  plugin jars ({@code --plugins}) that remote workers must load too
 */
public record EngineSettings(int parallel, Optional<String> master, List<Path> plugins) {

    public EngineSettings {
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel " + parallel + " must be >= 1 (the number of runs that "
                    + "train at the same time)");
        }
        plugins = List.copyOf(plugins);
    }

    /** One run at a time, no master, no plugins: the default. */
    public static EngineSettings defaults() {
        return new EngineSettings(1, Optional.empty(), List.of());
    }
}
