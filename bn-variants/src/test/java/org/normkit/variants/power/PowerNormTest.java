package org.normkit.variants.power;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.variants.GoldenInputs.assertClose;
import static org.normkit.variants.GoldenInputs.sines;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;

/** PowerNorm against the PyTorch reference of scripts/pytorch/golden_new_norms.py, on both faces. */
class PowerNormTest {
    private static final double TOLERANCE = 1e-12;

    private static NormLayer golden() {
        NormLayer pn = new PowerNorm().create(NormSpec.of(2).withDtype(DType.FLOAT64));
        pn.weight().orElseThrow().copyFrom(sines(1, 2).add(1.0));
        pn.bias().orElseThrow().copyFrom(sines(2, 2));
        return pn;
    }

    @Nested
    class AgainstPyTorch {
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void trainingStepMatchesOutputGradientsAndRunningQuadraticMean(Face face) {
            NormLayer pn = golden();
            pn.setFace(face);
            Tensor x = sines(10, 3, 2, 4).requiresGrad(true);
            Tensor y = pn.forward(x);
            y.backward(sines(20, 3, 2, 4));
            assertClose(new double[] {-0.538519204375311, -1.025236323172623, -1.311657944722638, -1.359018246213128,
                -1.611453538171626, -1.105803690329795, -0.403301865163576, 0.400971610875831, 1.154846467049896,
                1.717141817961856, 2.108564649795996, 2.276137718511079, 2.46278657840057, 2.080851180698795,
                1.46446897280148, 0.697064394967874, 0.070447388881577, -0.548934901270073, -1.032486857197958,
                -1.314761990112008, -1.85003960414282, -1.604378744952385, -1.094386113715704, -0.389086820587083},
                    y, TOLERANCE, face + " y");
            assertClose(new double[] {0.555152999712746, 0.167047100869231, -0.243667839423559, -0.621403480747881,
                0.206806098811617, -0.33893404746501, -0.838801060428735, -1.225140284857094, -0.721088433294278,
                -0.363772059440968, 0.042779156125799, 0.443540413597035, -0.468967236883707, 0.072264971154715,
                0.603716454357651, 1.053457747625195, 0.8633106041089, 0.548534237811984, 0.159516335717653,
                -0.251091354091102, 0.715706212009019, 0.19678056575418, -0.348778406936123, -0.847131858441089},
                    x.grad(), TOLERANCE, face + " dx");
            assertClose(new double[] {-5.225815160494598, -1.805239815928577}, pn.weight().orElseThrow().grad(),
                    TOLERANCE, face + " dgamma");
            assertClose(new double[] {1.770610321181509, 0.243383716711856}, pn.bias().orElseThrow().grad(),
                    TOLERANCE, face + " dbeta");
            assertClose(new double[] {0.91513993204666, 0.911311609622238}, pn.stateDict().get("running_mean_square"),
                    TOLERANCE, face + " running quadratic mean (no Bessel correction)");
            assertTrue(!pn.stateDict().containsKey("running_mean"), "a mean of squares keeps no running mean");

            pn.eval();
            assertClose(new double[] {0.050675227964432, -0.147298153360496, -0.263800850128059, -0.283064768869624,
                -0.341954036246055, -0.163800089920246, 0.08371006555318, 0.367077091753525, 0.739455866336042,
                0.968170878864059, 1.127383075339633, 1.195543831867974, 1.093509571909341, 0.95894353054197,
                0.741775616321078, 0.471398487655722, 0.298373882737232, 0.04643861771697, -0.150247325850985,
                -0.26506342820018, -0.42601427946087, -0.33946139764085, -0.159777372737675, 0.088718405413873},
                    pn.forward(sines(10, 3, 2, 4)), TOLERANCE, face + " eval y");
        }
    }

    @Nested
    class Inputs {
        @Test
        void oneValuePerChannelIsRefusedInTrainingWithTheWayOut() {
            NormLayer pn = new PowerNorm().create(NormSpec.of(3));
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                    () -> pn.forward(Tensor.zeros(DType.FLOAT32, Shape.of(1, 3))));
            assertTrue(e.getMessage().contains("call eval()"), e.getMessage());
        }

        @Test
        void aZeroChannelGivesBeta() {
            NormLayer pn = new PowerNorm().create(NormSpec.of(1).withDtype(DType.FLOAT64));
            pn.bias().orElseThrow().copyFrom(Tensor.of(new double[] {0.25}, 1));
            assertArrayEquals(new double[] {0.25, 0.25}, pn.forward(Tensor.zeros(DType.FLOAT64, 2, 1)).toDoubleArray());
        }
    }
}
