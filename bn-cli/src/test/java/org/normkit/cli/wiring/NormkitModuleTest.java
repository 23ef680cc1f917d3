package org.normkit.cli.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.multibindings.MapBinder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.check.NormVerifier;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.cli.Normkit;
import org.normkit.experiments.data.SyntheticImages;
import org.normkit.experiments.engine.Engine;
import org.normkit.experiments.engine.EngineProvider;
import org.normkit.experiments.engine.EngineSettings;
import org.normkit.experiments.engine.Engines;
import org.normkit.experiments.engine.LocalEngine;
import org.normkit.experiments.engine.RunTask;
import org.normkit.experiments.engine.RunTrainer;
import org.normkit.experiments.report.ExperimentReport;
import org.normkit.experiments.report.ReportFiles;
import org.normkit.experiments.report.ReportWriter;
import org.normkit.experiments.report.SweepReport;
import org.normkit.experiments.train.ExperimentRunner;

/**
 * The application's parts come from one injector; swapping one (a data source, an engine, a report writer) is binding
 * another module.
 */
class NormkitModuleTest {
    @TempDir
    Path dir;

    @Test
    void bindsTheRegistryOfOurNormsAndOneVerifierPerInjector() {
        Injector injector = Guice.createInjector(new NormkitModule(getClass().getClassLoader()));
        NormRegistry registry = injector.getInstance(NormRegistry.class);
        assertTrue(registry.names().containsAll(List.of("batch_norm2d", "layer_norm", "group_norm")),
                registry.names().toString());
        assertSame(injector.getInstance(NormVerifier.class), injector.getInstance(NormVerifier.class));
    }

    @Test
    void theEnginesAndTheReportWriterComeFromTheSameInjector() {
        Injector injector = Guice.createInjector(new NormkitModule(getClass().getClassLoader()));
        try (Engine engine = injector.getInstance(Engines.class).create("local", EngineSettings.defaults())) {
            assertEquals("local, 1 run at a time", engine.describe());
        }
        assertTrue(injector.getInstance(ReportWriter.class) instanceof ReportFiles);
    }

    @Test
    void anEngineAndAReportWriterBoundInAnotherModuleReplaceTheDefaults() {
        List<String> trained = new ArrayList<>();
        List<String> reported = new ArrayList<>();
        AbstractModule swapped = new AbstractModule() {
            @Override
            protected void configure() {
                bind(ExperimentRunner.DataSource.class).toInstance(folder -> SyntheticImages.generate(48, 24, 3));
                MapBinder.newMapBinder(binder(), String.class, EngineProvider.class).addBinding("recording")
                        .toInstance(new RecordingEngineProvider(trained));
                bind(ReportWriter.class).toInstance(new SummaryWriter(reported));
            }
        };
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Normkit.run(new String[] {"experiment", "--norms", "none,batch_norm", "--epochs", "1", "--seeds",
            "1", "--engine", "recording", "--no-progress", "--out", dir.toString()}, new PrintWriter(out, true),
                new PrintWriter(err, true), swapped);

        assertEquals(0, exit, out + "\n" + err);
        assertEquals(List.of("none", "batch_norm"), trained, "every run went to the engine bound in the other module");
        assertEquals(List.of("experiment with 2 rows"), reported);
        assertTrue(Files.exists(dir.resolve("summary.txt")));
        assertFalse(Files.exists(dir.resolve("report.md")), "the default writer is replaced, not added to");
        assertTrue(out.toString().contains("report: " + dir.resolve("summary.txt").toAbsolutePath()
                + " (also results.csv)"), out.toString());
    }

    /**
     * An engine in its own module, as a plugin jar would add one: it trains like the local engine and records each
     * run's norm. Its engine is built in a child injector of the command's, so it can ask for the registry.
     */
    private record RecordingEngineProvider(List<String> trained) implements EngineProvider {
        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Module module(EngineSettings settings) {
            return new AbstractModule() {
                @Provides
                Engine engine(NormRegistry registry) {
                    assertTrue(registry.contains("batch_norm"), "the application's registry reaches the engine");
                    return new RecordingEngine(new LocalEngine(1), trained);
                }
            };
        }
    }

    private record RecordingEngine(Engine local, List<String> trained) implements Engine {
        @Override
        public void execute(List<RunTask> tasks, RunTrainer trainer, Listener listener) {
            tasks.forEach(task -> trained.add(task.key().config().norm()));
            local.execute(tasks, trainer, listener);
        }

        @Override
        public String describe() {
            return "recording";
        }
    }

    /** Writes one line per report instead of the Markdown, HTML and PNG files. */
    private record SummaryWriter(List<String> reported) implements ReportWriter {
        @Override
        public List<Path> write(ExperimentReport report, Path folder) {
            reported.add("experiment with " + report.resultsTable().rows().size() + " rows");
            Path summary = folder.resolve("summary.txt");
            try {
                Files.writeString(summary, String.join("\n", report.findings()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return List.of(summary);
        }

        @Override
        public List<Path> write(SweepReport report, Path folder) {
            throw new AssertionError("no sweep in this test");
        }
    }

    @Test
    void aDataSourceAndAKernelPoolBoundInAnotherModuleReplaceTheDefaults() {
        List<Integer> threadCounts = new ArrayList<>();
        AbstractModule swapped = new AbstractModule() {
            @Override
            protected void configure() {
                bind(ExperimentRunner.DataSource.class).toInstance(folder -> SyntheticImages.generate(48, 24, 3));
                bind(KernelPool.class).toInstance(threadCounts::add);
            }
        };
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Normkit.run(new String[] {"experiment", "--norms", "none", "--epochs", "1", "--seeds", "1",
            "--threads", "3", "--no-progress", "--out", dir.toString()}, new PrintWriter(out, true),
                new PrintWriter(err, true), swapped);

        assertEquals(0, exit, out + "\n" + err);
        assertTrue(out.toString().contains("data: 48 training and 24 test images"), out.toString());
        assertEquals(List.of(3), threadCounts);
    }
}
