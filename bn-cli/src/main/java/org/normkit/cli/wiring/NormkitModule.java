package org.normkit.cli.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

import org.normkit.autograd.check.NormVerifier;
import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormalizationsModule;
import org.normkit.experiments.data.FashionMnist;
import org.normkit.experiments.engine.Engines;
import org.normkit.experiments.engine.EnginesModule;
import org.normkit.experiments.report.ReportFiles;
import org.normkit.experiments.report.ReportWriter;
import org.normkit.experiments.train.ExperimentRunner;

/**
 * The application's parts, as the {@code normkit} command uses them. The command builds exactly one injector per
 * run from this module (and, in tests or another application, modules that override a part):
 *
 * <table>
 *   <caption>Public bindings</caption>
 *   <tr><th>type</th><th>bound to</th></tr>
 *   <tr><td>{@link NormRegistry}</td><td>every norm on the class path and in the plugin jars
 *       ({@link NormalizationsModule}: ServiceLoader discovers, a MapBinder collects)</td></tr>
 *   <tr><td>{@link NormVerifier}</td><td>one per run over that registry, so each norm is verified once</td></tr>
 *   <tr><td>{@link KernelPool}</td><td>{@link KernelThreads#set}</td></tr>
 *   <tr><td>{@link ExperimentRunner.DataSource}</td><td>{@link FashionMnist#load} (the built-in synthetic set when
 *       the files are absent)</td></tr>
 * </table>
 *
 * Swapping a part is binding it in another module and combining it with
 * {@code Modules.override(new NormkitModule(loader)).with(yours)}; adding a norm is one more
 * {@code MapBinder<String, NormalizationProvider>} entry, adding an engine one more
 * {@code MapBinder<String, EngineProvider>} entry. A plugin author needs none of this: a service line is
 * enough. As Guice advises, the module only binds: the plugin discovery runs in {@link NormalizationsModule}'s
 * constructor, before {@link #configure}.
 */
public final class NormkitModule extends AbstractModule {
    private final ClassLoader plugins;

    /** @param plugins the class loader that sees normkit and the plugin jars */
    public NormkitModule(ClassLoader plugins) {
        this.plugins = plugins;
    }

    @Override
    protected void configure() {
        install(new NormalizationsModule(plugins));
        install(new EnginesModule(plugins));
        bind(KernelPool.class).toInstance(KernelThreads::set);
        bind(ExperimentRunner.DataSource.class).toInstance(FashionMnist::load);
        bind(ReportWriter.class).to(ReportFiles.class);
    }

    @Provides
    @Singleton
    NormVerifier verifier(NormRegistry registry) {
        return new NormVerifier(registry);
    }
}
