package org.normkit.experiments.engine;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;

/** {@code --engine local}: {@link LocalEngine} with {@code --parallel} runs at a time. */
public final class LocalEngineProvider implements EngineProvider {

    @Override
    public String name() {
        return LocalEngine.NAME;
    }

    @Override
    public Module module(EngineSettings settings) {
        if (settings.master().isPresent()) {
            throw new IllegalArgumentException("--master " + settings.master().get() + " is for --engine spark; "
                    + "the local engine trains in this JVM (drop --master, or add --engine spark)");
        }
        return new AbstractModule() {
            @Provides
            Engine engine() {
                return new LocalEngine(settings.parallel());
            }
        };
    }
}
