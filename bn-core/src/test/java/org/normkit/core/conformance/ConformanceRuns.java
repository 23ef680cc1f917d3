package org.normkit.core.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.Shape;
import org.normkit.core.NormLayer;
import org.normkit.core.batch.BatchNorm;

/**
 * What the conformance tests share: runs of the worked example (or a variant of it) through a registry, cases
 * reshaped to reach another provider, and BatchNorm with another fused face registered through a service file of its
 * own, as a plugin would be.
 */
final class ConformanceRuns {
    static final NormRegistry REGISTRY = NormRegistry.loadDefault();

    private ConformanceRuns() {}

    static ConformanceReport run(NormRegistry registry, String json, Optional<String> norm, List<Face> faces) {
        return new ConformanceRunner(registry, norm, faces).runAll(ConformanceReaderTest.read(json).cases());
    }

    /** {@code c} as a case of {@code norm} with the same values in the shape {@code dims}. */
    static ConformanceCase withShape(ConformanceCase c, String norm, int... dims) {
        return new ConformanceCase(c.name(), norm, c.training(), c.dtype(), c.description(), c.params(),
                c.input().reshape(Shape.of(dims)), c.weight(), c.bias(), c.state(), c.gradOutput(), c.expected(),
                c.tolerance());
    }

    /**
     * A registry of this class path plus {@code provider}, registered by a service file in {@code dir}; close the
     * registry's loader when done.
     */
    static PluginRegistry withProvider(Path dir, Class<? extends NormalizationProvider> provider) {
        Path services = dir.resolve("META-INF/services/" + NormalizationProvider.class.getName());
        try {
            Files.createDirectories(services.getParent());
            Files.writeString(services, provider.getName() + "\n");
            URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                    ConformanceRuns.class.getClassLoader());
            return new PluginRegistry(NormRegistry.load(loader), loader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A registry and the class loader its plugin came from. */
    record PluginRegistry(NormRegistry registry, URLClassLoader loader) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            loader.close();
        }
    }

    /**
     * BatchNorm under another name whose fused face is BatchNorm's own changed by {@link #fusedFace} (empty for a
     * norm with the reference face only). A subclass needs a public zero-argument constructor, as any provider.
     */
    abstract static class BatchNormWithAnotherFusedFace implements NormalizationProvider {
        private final NormalizationProvider batch = REGISTRY.get("batch_norm");
        private final String name;
        private final String summary;

        BatchNormWithAnotherFusedFace(String name, String summary) {
            this.name = name;
            this.summary = summary;
        }

        /** The fused face to use instead of BatchNorm's {@code own}. */
        abstract Optional<FusedNorm> fusedFace(FusedNorm own);

        @Override
        public String name() {
            return name;
        }

        @Override
        public String summary() {
            return summary;
        }

        @Override
        public InputContract contract() {
            return batch.contract();
        }

        @Override
        public Normalization create(NormSpec spec) {
            return new BatchNorm() {
                @Override
                public Optional<FusedNorm> fused(NormLayer layer) {
                    return fusedFace(super.fused(layer).orElseThrow());
                }
            }.create(spec);
        }
    }
}
