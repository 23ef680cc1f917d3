package org.normkit.variants.masked;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.variants.GoldenJson.doubles;
import static org.normkit.variants.GoldenJson.ints;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.ops.Indexing;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.variants.GoldenInputs;
import org.normkit.variants.GoldenJson;

/** Statistics over the valid positions of a padded input: BatchNorm, InstanceNorm and GroupNorm, both faces. */
class MaskedStatisticsTest {
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();
    private static final Face[] FACES = {Face.REFERENCE, Face.FUSED};

    /** A layer of {@code norm} over C channels: γ, β trainable, running statistics where the norm keeps them. */
    private static Normalization layer(String norm, int channels, DType dtype) {
        NormSpec spec = NormSpec.of(channels).withDtype(dtype).withAffine(true);
        if (norm.startsWith("group")) {
            spec = spec.withOption("groups", "2");
        } else {
            spec = spec.withTrackRunningStats(true).withMomentum(0.1);
        }
        Normalization layer = REGISTRY.get(norm).create(spec);
        if (layer.weight().isPresent()) {
            layer.weight().get().copyFrom(Tensor.uniform(dtype, layer.weight().get().shape(), 0.5, 1.5, 7));
            layer.bias().get().copyFrom(Tensor.uniform(dtype, layer.bias().get().shape(), -0.5, 0.5, 8));
        }
        return layer;
    }

    private static Stream<Arguments> maskedNorms() {
        return Stream.of(Arguments.of("batch_norm1d", new int[] {5, 2, 3}),
                Arguments.of("instance_norm1d", new int[] {5, 3, 0}),
                Arguments.of("group_norm", new int[] {5, 1, 4}));
    }

    @Nested
    class GoldenVectors {
        /** scripts/pytorch/golden.py --masked: a masked PyTorch reference (sums over valid elements). */
        @Test
        void bothFacesReproduceTheMaskedPyTorchReference() throws IOException {
            JsonNode doc = GoldenJson.read("/golden/masked-norms.json", "normkit-masked-golden/1",
                    "/usr/bin/python3 scripts/pytorch/golden.py --masked");
            int checked = 0;
            for (JsonNode c : doc.get("cases")) {
                for (Face face : FACES) {
                    replay(c, face);
                    checked++;
                }
            }
            assertEquals(10, checked);
        }

        private void replay(JsonNode c, Face face) {
            String what = c.get("name").asText() + " (" + face + ")";
            int[] shape = ints(c.get("shape"));
            Normalization layer = REGISTRY.get(c.get("norm").asText()).create(spec(c, shape[1]));
            layer.setFace(face);
            layer.weight().get().copyFrom(Tensor.of(doubles(c.get("weight")), shape[1]));
            layer.bias().get().copyFrom(Tensor.of(doubles(c.get("bias")), shape[1]));
            if (!c.get("runningMean").isNull()) {
                layer.stateDict().get("running_mean").copyFrom(Tensor.of(doubles(c.get("runningMean")), shape[1]));
                layer.stateDict().get("running_var").copyFrom(Tensor.of(doubles(c.get("runningVar")), shape[1]));
            }
            layer.train(c.get("mode").asText().equals("train"));
            Tensor x = Tensor.of(doubles(c.get("input")), shape).requiresGrad(true);
            PositionMask mask = PositionMask.ofLengths(ints(c.get("lengths")), shape[2]);
            Tensor y = layer.forward(x, mask);
            y.backward(Tensor.of(doubles(c.get("gradOutput")), shape));
            JsonNode expected = c.get("expected");
            GoldenInputs.assertClose(doubles(expected.get("output")), y, 1e-10, what + " output");
            GoldenInputs.assertClose(doubles(expected.get("gradInput")), x.grad(), 1e-10, what + " gradInput");
            GoldenInputs.assertClose(doubles(expected.get("gradWeight")), layer.weight().get().grad(), 1e-10,
                    what + " gradWeight");
            GoldenInputs.assertClose(doubles(expected.get("gradBias")), layer.bias().get().grad(), 1e-10,
                    what + " gradBias");
            if (!expected.get("runningMean").isNull()) {
                GoldenInputs.assertClose(doubles(expected.get("runningMean")), layer.stateDict().get("running_mean"),
                        1e-10, what + " running mean");
                GoldenInputs.assertClose(doubles(expected.get("runningVar")), layer.stateDict().get("running_var"),
                        1e-10, what + " running variance");
            }
        }

        private NormSpec spec(JsonNode c, int channels) {
            NormSpec spec = NormSpec.of(channels).withDtype(DType.FLOAT64).withAffine(true)
                    .withEps(c.get("eps").asDouble());
            if (!c.get("groups").isNull()) {
                return spec.withOption("groups", c.get("groups").asText());
            }
            return spec.withTrackRunningStats(true).withMomentum(c.get("momentum").asDouble());
        }
    }

    @Nested
    class Gradients {
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.normkit.variants.masked.MaskedStatisticsTest#maskedNorms")
        void theReferenceFaceIsGradientChecked(String norm, int[] lengths) {
            Normalization layer = layer(norm, 4, DType.FLOAT64);
            PositionMask mask = PositionMask.ofLengths(lengths, 5);
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(3, 4, 5), 11);
            GradCheck.Report report = GradCheck.check(in -> layer.reference(in.get(0), Statistics.batch(), mask),
                    List.of(x), 3);
            assertTrue(report.passed(), report.describe());
        }

        /** γ and β are checked by the golden vectors and the face agreement: the layer owns them. */
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.normkit.variants.masked.MaskedStatisticsTest#maskedNorms")
        void theFusedFaceIsGradientChecked(String norm, int[] lengths) {
            Normalization layer = withBatchStatisticsKept(layer(norm, 4, DType.FLOAT64));
            layer.setFace(Face.FUSED);
            PositionMask mask = PositionMask.ofLengths(lengths, 5);
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(3, 4, 5), 12);
            GradCheck.Report report = GradCheck.check(in -> layer.forward(in.get(0), mask), List.of(x), 4);
            assertTrue(report.passed(), report.describe());
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.normkit.variants.masked.MaskedStatisticsTest#maskedNorms")
        void theFacesAgreeInFloat32AndFloat64(String norm, int[] lengths) {
            for (DType dtype : DType.values()) {
                Tensor[] reference = run(norm, lengths, dtype, Face.REFERENCE);
                Tensor[] fused = run(norm, lengths, dtype, Face.FUSED);
                double tolerance = dtype == DType.FLOAT32 ? 1e-4 : 1e-10;
                String[] what = {"output", "gradInput", "gradWeight", "gradBias", "running mean"};
                for (int i = 0; i < reference.length; i++) {
                    if (reference[i] != null) {
                        GoldenInputs.assertClose(reference[i].toDoubleArray(), fused[i], tolerance,
                                norm + " " + dtype + " " + what[i]);
                    }
                }
            }
        }

        private Tensor[] run(String norm, int[] lengths, DType dtype, Face face) {
            Normalization layer = layer(norm, 4, dtype);
            layer.setFace(face);
            Tensor x = Tensor.randn(dtype, Shape.of(3, 4, 5), 13).requiresGrad(true);
            Tensor y = layer.forward(x, PositionMask.ofLengths(lengths, 5));
            y.backward(Tensor.randn(dtype, y.shape(), 14));
            return new Tensor[] {y, x.grad(), layer.weight().get().grad(), layer.bias().get().grad(),
                layer.stateDict().get("running_mean")};
        }
    }

    /** {@code layer} normalising with batch statistics without updating the running ones (a check calls it often). */
    private static Normalization withBatchStatisticsKept(Normalization layer) {
        if (layer instanceof org.normkit.core.NormLayer norm && norm.runningStats().isPresent()) {
            norm.setUpdatesRunningStatistics(false);
            norm.setUsesRunningStatistics(false);
        }
        return layer;
    }

    @Nested
    class Padding {
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.normkit.variants.masked.MaskedStatisticsTest#maskedNorms")
        void whatThePaddingHoldsChangesNeitherTheOutputNorTheRunningStatistics(String norm, int[] lengths) {
            PositionMask mask = PositionMask.ofLengths(lengths, 5);
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(3, 4, 5), 21);
            Tensor other = x.copy();
            for (int i = 0; i < other.numel(); i++) {
                int n = i / 20;
                int t = i % 5;
                if (!mask.isValid(n * 5 + t)) {
                    other.set(i, 1e3 * (i + 1));
                }
            }
            for (Face face : FACES) {
                Normalization a = layer(norm, 4, DType.FLOAT64);
                Normalization b = layer(norm, 4, DType.FLOAT64);
                a.setFace(face);
                b.setFace(face);
                assertArrayEquals(a.forward(x, mask).toDoubleArray(), b.forward(other, mask).toDoubleArray(), 1e-12);
                if (a.stateDict().containsKey("running_var")) {
                    assertArrayEquals(a.stateDict().get("running_var").toDoubleArray(),
                            b.stateDict().get("running_var").toDoubleArray(), 1e-12);
                }
            }
        }

        @Test
        void maskedBatchNormOverTokenRowsIsBatchNormOverTheValidRowsAlone() {
            int[] validRows = {0, 1, 3, 5, 6};
            Tensor rows = Tensor.randn(DType.FLOAT64, Shape.of(8, 3), 22);
            for (Face face : FACES) {
                Normalization masked = layer("batch_norm1d", 3, DType.FLOAT64);
                Normalization gathered = layer("batch_norm1d", 3, DType.FLOAT64);
                masked.setFace(face);
                gathered.setFace(face);
                Tensor y = masked.forward(rows, PositionMask.ofRows(8, validRows));
                Tensor expected = gathered.forward(Indexing.gatherRows(rows, validRows));
                assertArrayEquals(expected.toDoubleArray(), Indexing.gatherRows(y, validRows).toDoubleArray(), 1e-12);
                assertArrayEquals(gathered.stateDict().get("running_mean").toDoubleArray(),
                        masked.stateDict().get("running_mean").toDoubleArray(), 1e-12);
                assertArrayEquals(gathered.stateDict().get("running_var").toDoubleArray(),
                        masked.stateDict().get("running_var").toDoubleArray(), 1e-12);
                assertEquals(0.0, y.get(2 * 3), "a padded row is 0");
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.normkit.variants.masked.MaskedStatisticsTest#maskedNorms")
        void aMaskWithEveryPositionValidIsTheUnmaskedForward(String norm, int[] lengths) {
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(3, 4, 5), 23);
            for (Face face : FACES) {
                Normalization masked = layer(norm, 4, DType.FLOAT64);
                Normalization plain = layer(norm, 4, DType.FLOAT64);
                masked.setFace(face);
                plain.setFace(face);
                assertArrayEquals(plain.forward(x).toDoubleArray(),
                        masked.forward(x, PositionMask.ofLengths(new int[] {5, 5, 5}, 5)).toDoubleArray(), 1e-10);
            }
        }
    }

    @Nested
    class Refusals {
        @Test
        void aMaskOfTheWrongShapeNamesBothShapes() {
            Normalization bn = layer("batch_norm1d", 4, DType.FLOAT64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.forward(
                    Tensor.randn(DType.FLOAT64, Shape.of(3, 4, 5), 1), PositionMask.ofLengths(new int[] {5, 2}, 5)));
            assertEquals("batch_norm1d: a mask of positions (2, 5) does not fit the input (3, 4, 5): expected one "
                    + "flag per position, shape (3, 5) (the input without its channel dimension 1)", e.getMessage());
        }

        @Test
        void aNormWhoseStatisticsCannotLeavePositionsOutRefusesAMask() {
            Normalization ln = REGISTRY.get("layer_norm").create(NormSpec.of(4));
            assertFalse(ln.takesMask());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> ln.forward(
                    Tensor.randn(DType.FLOAT32, Shape.of(3, 4), 1), PositionMask.ofRows(3, new int[] {0})));
            assertTrue(e.getMessage().startsWith("layer_norm takes no mask of valid positions"), e.getMessage());
        }

        @Test
        void batchStatisticsOfAMaskWithoutAValidPositionAreRefused() {
            Normalization bn = layer("batch_norm1d", 4, DType.FLOAT64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.forward(
                    Tensor.randn(DType.FLOAT64, Shape.of(2, 4, 3), 1), PositionMask.ofLengths(new int[] {0, 0}, 3)));
            assertTrue(e.getMessage().contains("marks no position of the input (2, 4, 3) valid"), e.getMessage());
        }

        @Test
        void theMaskedNormsAreBatchInstanceGroupAndPowerNorm() {
            List<String> taking = new ArrayList<>();
            for (String name : REGISTRY.names()) {
                var provider = REGISTRY.get(name);
                Shape example = provider.contract().exampleShapes().get(0);
                if (provider.create(provider.contract().specFor(example, java.util.Map.of())).takesMask()) {
                    taking.add(name.replaceAll("\\d?d$", ""));
                }
            }
            assertEquals(List.of("batch_norm", "group_norm", "instance_norm", "power_norm"),
                    taking.stream().distinct().sorted().toList());
        }
    }
}
