package org.normkit.bench;

import java.util.List;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.Shape;
import org.normkit.bench.toy.ToyRowNorm;

/** Providers made up on the spot for plan tests: a norm under another name, or with other benchmark shapes. */
final class TestProviders {
    private TestProviders() {}

    /** The test-only row norm as {@code name}, with the benchmark shapes given. */
    static NormalizationProvider rowNorm(String name, List<Shape> benchmarkShapes) {
        return withShapes(new ToyRowNorm(), name, benchmarkShapes);
    }

    /** {@code provider} with the benchmark shapes given, under its own name. */
    static NormalizationProvider withShapes(NormalizationProvider provider, List<Shape> benchmarkShapes) {
        return withShapes(provider, provider.name(), benchmarkShapes);
    }

    private static NormalizationProvider withShapes(NormalizationProvider provider, String name,
                                                    List<Shape> benchmarkShapes) {
        InputContract base = provider.contract();
        return new NormalizationProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String summary() {
                return "test-only " + name + " with benchmark shapes " + benchmarkShapes;
            }

            @Override
            public InputContract contract() {
                return new InputContract() {
                    @Override
                    public String layout() {
                        return base.layout();
                    }

                    @Override
                    public boolean accepts(Shape input) {
                        return base.accepts(input);
                    }

                    @Override
                    public List<Shape> exampleShapes() {
                        return base.exampleShapes();
                    }

                    @Override
                    public List<Shape> benchmarkShapes() {
                        return benchmarkShapes;
                    }

                    @Override
                    public NormSpec specFor(Shape input, NormSpec spec) {
                        return base.specFor(input, spec);
                    }

                    @Override
                    public java.util.Optional<java.util.Map<String, Integer>> memoryPasses() {
                        return base.memoryPasses();
                    }

                    @Override
                    public java.util.Set<String> optionNames() {
                        return base.optionNames();
                    }
                };
            }

            @Override
            public Normalization create(NormSpec spec) {
                return provider.create(spec);
            }
        };
    }
}
