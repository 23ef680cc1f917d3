package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;

class BytesModelTest {

    @Test
    void batchNormsReadTheirInputTwiceInTraining() {
        BytesModel m = BytesModel.forName("batch_norm2d");
        assertEquals(List.of(3, 2, 8), List.of(m.units(BenchPass.TRAIN_FORWARD), m.units(BenchPass.EVAL_FORWARD),
                m.units(BenchPass.TRAIN_FORWARD_BACKWARD)));
    }

    @Test
    void perSampleNormsAndPluginsReadItOnce() {
        for (String norm : List.of("layer_norm", "group_norm", "instance_norm2d", "my_plugin_norm")) {
            BytesModel m = BytesModel.forName(norm);
            assertEquals(List.of(2, 2, 5), List.of(m.units(BenchPass.TRAIN_FORWARD), m.units(BenchPass.EVAL_FORWARD),
                    m.units(BenchPass.TRAIN_FORWARD_BACKWARD)), norm);
        }
    }

    @Test
    void aProviderMayDeclareItsOwnUnits() {
        BytesModel m = BytesModel.of(new Declaring(Map.of("train_forward", 4, "train_forward_backward", 9)));
        assertEquals(4, m.units(BenchPass.TRAIN_FORWARD));
        assertEquals(2, m.units(BenchPass.EVAL_FORWARD));
        assertEquals(9, m.units(BenchPass.TRAIN_FORWARD_BACKWARD));
        assertTrue(m.label().startsWith("declared by"), m.label());
    }

    @Test
    void aDeclarationWithAnUnknownPassIsAnError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> BytesModel.of(new Declaring(Map.of("inference", 2))));
        assertTrue(e.getMessage().contains("unknown pass 'inference'"), e.getMessage());
    }

    @Test
    void gigabytesPerSecondIsUnitsTimesTensorBytesOverTime() {
        // 2 passes over 1e6 float32 values = 8e6 bytes in 1 ms = 8 GB/s.
        assertEquals(8.0, BytesModel.gigabytesPerSecond(2, 1_000_000, DType.FLOAT32, 1.0), 1e-12);
        assertEquals(16.0, BytesModel.gigabytesPerSecond(2, 1_000_000, DType.FLOAT64, 1.0), 1e-12);
    }

    /** A provider that declares units; nothing else of it is used. */
    public static final class Declaring implements NormalizationProvider {
        private final Map<String, Integer> units;

        Declaring(Map<String, Integer> units) {
            this.units = units;
        }

        @Override
        public String name() {
            return "declaring_norm";
        }

        @Override
        public String summary() {
            return "declares its bytes";
        }

        @Override
        public InputContract contract() {
            return new InputContract() {
                @Override
                public String layout() {
                    return "(N, K)";
                }

                @Override
                public boolean accepts(Shape input) {
                    return true;
                }

                @Override
                public List<Shape> exampleShapes() {
                    return List.of();
                }

                @Override
                public List<Shape> benchmarkShapes() {
                    return List.of();
                }

                @Override
                public NormSpec specFor(Shape input, NormSpec base) {
                    return base;
                }

                @Override
                public Optional<Map<String, Integer>> memoryPasses() {
                    return Optional.of(units);
                }
            };
        }

        @Override
        public Normalization create(NormSpec spec) {
            throw new UnsupportedOperationException();
        }
    }
}
