package org.normkit.cli.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.check.NormVerifier;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.cli.Normkit;
import org.normkit.experiments.data.SyntheticImages;
import org.normkit.experiments.train.ExperimentRunner;

/** The application's parts come from one injector; swapping one is binding another module. */
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
