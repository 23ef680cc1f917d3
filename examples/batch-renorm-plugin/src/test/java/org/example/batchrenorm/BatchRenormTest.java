package org.example.batchrenorm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.batch.BatchNorm;

class BatchRenormTest {
    private static final NormSpec F64 = NormSpec.of(2).withDtype(DType.FLOAT64);

    private static NormLayer layer(NormSpec spec, Face face, double step, double[] mean, double[] variance) {
        NormLayer layer = new BatchRenorm().create(spec);
        layer.setFace(face);
        Map<String, Tensor> state = layer.stateDict();
        state.get("num_batches_tracked").set(0, step);
        for (int c = 0; c < mean.length; c++) {
            state.get("running_mean").set(c, mean[c]);
            state.get("running_var").set(c, variance[c]);
        }
        return layer;
    }

    /** Channel 0: 1, 2, 3, 6; channel 1: −1, 0, 0, 5. */
    private static Tensor input() {
        return Tensor.of(new double[] {1, -1, 2, 0, 3, 0, 6, 5}, 4, 2);
    }

    @Nested
    class Corrections {
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void inTheWarmUpTheOutputIsBatchNorms(Face face) {
            NormLayer renorm = layer(F64, face, 10, new double[] {5, -3}, new double[] {0.01, 9});
            NormLayer batchNorm = new BatchNorm().create(F64);
            assertArrayEquals(batchNorm.forward(input()).toDoubleArray(), renorm.forward(input()).toDoubleArray(), 1e-12);
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void pastTheRampsRAndDAreClippedAtRmaxAndDmax(Face face) {
            NormSpec spec = F64.withOption("rmax", "2").withOption("dmax", "0.5");
            double eps = spec.eps();
            NormLayer renorm = layer(spec, face, 1e6, new double[] {-100, 0.5}, new double[] {1e-4, 3});
            double[] y = renorm.forward(input()).toDoubleArray();
            double[][] channels = {{1, 2, 3, 6}, {-1, 0, 0, 5}};
            double[][] running = {{-100, 1e-4}, {0.5, 3}};
            for (int c = 0; c < 2; c++) {
                double mu = java.util.Arrays.stream(channels[c]).average().orElseThrow();
                double var = java.util.Arrays.stream(channels[c]).map(v -> (v - mu) * (v - mu)).sum() / 4;
                double sigmaB = Math.sqrt(var + eps);
                double sigma = Math.sqrt(running[c][1] + eps);
                double r = Math.min(2, Math.max(0.5, sigmaB / sigma));
                double d = Math.min(0.5, Math.max(-0.5, (mu - running[c][0]) / sigma));
                for (int n = 0; n < 4; n++) {
                    assertEquals((channels[c][n] - mu) / sigmaB * r + d, y[n * 2 + c], 1e-12);
                }
            }
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void theRunningStandardDeviationIsAveragedNotTheVariance(Face face) {
            NormLayer renorm = layer(F64.withMomentum(0.5), face, 0, new double[] {0, 0}, new double[] {4, 4});
            renorm.forward(input());
            double eps = F64.eps();
            double sigmaB = Math.sqrt(3.5 + eps);
            double sigma = 0.5 * Math.sqrt(4 + eps) + 0.5 * sigmaB;
            assertEquals(sigma * sigma - eps, renorm.stateDict().get("running_var").get(0), 1e-12);
            assertEquals(0.5 * 3, renorm.stateDict().get("running_mean").get(0), 1e-12);
        }
    }

    @Nested
    class Schedule {
        @Test
        void rmaxAndDmaxRampLinearlyAfterTheWarmUpToThePapersLimits() {
            assertEquals(new BatchRenorm.Limits(1, 0), BatchRenorm.Limits.at(F64, 4999));
            assertEquals(new BatchRenorm.Limits(2, 4.375), BatchRenorm.Limits.at(F64, 22500));
            assertEquals(new BatchRenorm.Limits(3, 5), BatchRenorm.Limits.at(F64, 40000));
            assertEquals(new BatchRenorm.Limits(3, 5), BatchRenorm.Limits.at(F64, 1_000_000));
        }

        @Test
        void aRampOfZeroStepsJumpsToTheLimitAfterTheWarmUp() {
            NormSpec spec = F64.withOption("warmup_steps", "0").withOption("rmax_ramp_steps", "0")
                    .withOption("dmax_ramp_steps", "0");
            assertEquals(new BatchRenorm.Limits(3, 5), BatchRenorm.Limits.at(spec, 0));
        }

        @Test
        void aBadOptionNamesItselfAndTheExpectedForm() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new BatchRenorm().create(F64.withOption("rmax", "0.5")));
            assertEquals("batch_renorm: option rmax=0.5 is not allowed: expected a finite number >= 1.0, e.g. "
                    + "rmax=3.0", e.getMessage());
        }
    }
}
