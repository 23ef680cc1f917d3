package org.normkit.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.normkit.experiments.engine.Engine;
import org.normkit.experiments.engine.EngineProvider;
import org.normkit.experiments.engine.EngineSettings;
import org.normkit.experiments.engine.Engines;

/**
 * {@code --engine spark}: binds {@link SparkEngine} over a new Spark context. The master is {@code --master} when
 * given, else whatever {@code spark-submit} set ({@code spark.master}); one of the two is required.
 *
 * <p>In local mode Spark tries a task once unless the master says otherwise, while a cluster retries it
 * ({@code spark.task.maxFailures}, 4 by default). So that a sweep behaves the same in both, a plain
 * {@code local[N]} becomes {@code local[N,F]} with F = {@code spark.task.maxFailures} (4 unless set).
 */
public final class SparkEngineProvider implements EngineProvider {
    private static final Pattern PLAIN_LOCAL = Pattern.compile("local(\\[(\\d+|\\*)])?");
    private static final String DEFAULT_TRIES = "4";

    @Override
    public String name() {
        return Engines.SPARK;
    }

    @Override
    public Module module(EngineSettings settings) {
        // SparkConf reads the spark.* system properties, which is how spark-submit hands over the master.
        SparkConf conf = new SparkConf().setAppName("normkit");
        settings.master().ifPresent(conf::setMaster);
        if (!conf.contains("spark.master")) {
            throw new IllegalArgumentException("--engine spark needs --master (local[2], spark://host:7077, ...) or "
                    + "spark-submit, which sets it");
        }
        conf.setMaster(withRetries(conf.get("spark.master"), conf.get("spark.task.maxFailures", DEFAULT_TRIES)));
        return new AbstractModule() {
            @Provides
            Engine engine() {
                return new SparkEngine(new JavaSparkContext(conf), true, settings.plugins());
            }
        };
    }

    /** {@code local[2]} as {@code local[2,tries]}; any other master as it is. */
    static String withRetries(String master, String tries) {
        Matcher m = PLAIN_LOCAL.matcher(master.strip());
        if (!m.matches()) {
            return master;
        }
        return "local[" + (m.group(2) == null ? "1" : m.group(2)) + "," + tries + "]";
    }
}
