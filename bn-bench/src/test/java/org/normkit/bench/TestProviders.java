package org.normkit.bench;

import java.util.List;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.Shape;
import org.normkit.bench.toy.ToyRowNorm;

/** Providers made up on the spot for plan tests: a row norm under another name, with the benchmark shapes given. */
final class TestProviders {
    private TestProviders() {}

    static NormalizationProvider rowNorm(String name, List<Shape> benchmarkShapes) {
        ToyRowNorm row = new ToyRowNorm();
        InputContract base = row.contract();
        return new NormalizationProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String summary() {
                return "test-only row norm " + name;
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
                };
            }

            @Override
            public Normalization create(NormSpec spec) {
                return row.create(spec);
            }
        };
    }
}
