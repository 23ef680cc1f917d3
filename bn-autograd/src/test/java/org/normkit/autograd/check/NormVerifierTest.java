package org.normkit.autograd.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.ProviderDiscovery;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;

/**
 * The check every tool runs before it uses a norm, on registered test norms (FaceChecksTest's row centering with
 * and without a planted bug): faces that agree pass once per run, faces that disagree are refused naming what
 * differs and the way out, and a contract without a usable shape is refused naming its shapes.
 */
class NormVerifierTest {
    static final AtomicInteger LAYERS_BUILT = new AtomicInteger();

    @TempDir
    Path dir;

    /** A registered row centering whose contract takes (N, C) and whose fused face may carry a bug. */
    public abstract static class Centering implements NormalizationProvider {
        private final String name;
        private final TestRowNorm.Bug bug;
        private final List<Shape> shapes;

        Centering(String name, TestRowNorm.Bug bug, List<Shape> shapes) {
            this.name = name;
            this.bug = bug;
            this.shapes = shapes;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String summary() {
            return name + " (test double)";
        }

        @Override
        public InputContract contract() {
            return new InputContract() {
                @Override
                public String layout() {
                    return "(N, C)";
                }

                @Override
                public boolean accepts(Shape input) {
                    return input.rank() == 2 && input.dim(0) > 1;
                }

                @Override
                public List<Shape> exampleShapes() {
                    return shapes;
                }

                @Override
                public List<Shape> benchmarkShapes() {
                    return shapes;
                }

                @Override
                public NormSpec specFor(Shape input, NormSpec base) {
                    if (!accepts(input)) {
                        throw new UnsupportedInputException(name + " cannot take " + input + " in training");
                    }
                    return base.withNumFeatures(input.dim(1));
                }
            };
        }

        @Override
        public Normalization create(NormSpec spec) {
            LAYERS_BUILT.incrementAndGet();
            return TestRowNorm.centering("row_centering", spec, bug);
        }
    }

    public static final class Agreeing extends Centering {
        public Agreeing() {
            super("agreeing", TestRowNorm.Bug.NONE, List.of(Shape.of(1, 4), Shape.of(3, 4)));
        }
    }

    public static final class ScaledInputGradient extends Centering {
        public ScaledInputGradient() {
            super("scaled_input_gradient", TestRowNorm.Bug.INPUT_GRADIENT_SCALED, List.of(Shape.of(3, 4)));
        }
    }

    public static final class NoBiasGradient extends Centering {
        public NoBiasGradient() {
            super("no_bias_gradient", TestRowNorm.Bug.NO_BIAS_GRADIENT, List.of(Shape.of(3, 4)));
        }
    }

    public static final class OneRowOnly extends Centering {
        public OneRowOnly() {
            super("one_row_only", TestRowNorm.Bug.NONE, List.of(Shape.of(1, 4)));
        }
    }

    public static final class NoShapes extends Centering {
        public NoShapes() {
            super("no_shapes", TestRowNorm.Bug.NONE, List.of());
        }
    }

    private NormVerifier verifier;

    @BeforeEach
    void register() throws IOException {
        Path services = dir.resolve(ProviderDiscovery.SERVICE_FILE);
        Files.createDirectories(services.getParent());
        Files.writeString(services, String.join("\n", Agreeing.class.getName(), ScaledInputGradient.class.getName(),
                NoBiasGradient.class.getName(), OneRowOnly.class.getName(), NoShapes.class.getName()) + "\n");
        ClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.equals(ProviderDiscovery.SERVICE_FILE) ? findResources(name) : super.getResources(name);
            }
        };
        NormRegistry registry = NormRegistry.load(loader);
        assertEquals(List.of(), registry.loadProblems());
        verifier = new NormVerifier(registry);
    }

    @Nested
    class Agreement {
        @Test
        void aNormIsCheckedInTrainingThenEvaluationOnTheFirstShapeItTakesInTraining() {
            List<FaceAgreement.Report> reports = verifier.check("agreeing");

            assertEquals(2, reports.size());
            assertTrue(reports.get(0).training());
            assertFalse(reports.get(1).training());
            assertEquals(Shape.of(3, 4), reports.get(0).shape());
            assertTrue(reports.stream().allMatch(FaceAgreement.Report::passed));
        }

        @Test
        void facesThatAgreeAreVerifiedOncePerRun() {
            verifier.requireFacesAgree(List.of("agreeing"));
            int built = LAYERS_BUILT.get();
            verifier.requireFacesAgree(List.of("agreeing", "agreeing"));

            assertEquals(built, LAYERS_BUILT.get(), "no layer built for a norm verified before");
            assertEquals(List.of("agreeing"), verifier.verified());
        }
    }

    @Nested
    class Refusals {
        @Test
        void aWrongGradientIsRefusedWithItsWorstElementBothValuesAndTheWayOut() {
            NormVerifier.FacesDisagreeException e = assertThrows(NormVerifier.FacesDisagreeException.class,
                    () -> verifier.requireFacesAgree(List.of("agreeing", "scaled_input_gradient")));

            String message = e.getMessage();
            assertTrue(message.startsWith("scaled_input_gradient: its reference and fused faces disagree on a (3, 4) "
                    + "float64 input in training: gradInput worst at ["), message);
            assertTrue(message.contains("]: reference "), message);
            assertTrue(message.contains(", fused "), message);
            assertTrue(message.contains(" (tolerance "), message);
            assertTrue(message.endsWith("); fix the face that is wrong (`normkit verify scaled_input_gradient` shows "
                    + "every check), or skip this check with --no-verify"), message);
            assertEquals(List.of("agreeing"), verifier.verified(), "the norm that agreed stays verified");
        }

        @Test
        void aGradientOnlyOneFaceComputesIsRefusedNamingIt() {
            NormVerifier.FacesDisagreeException e = assertThrows(NormVerifier.FacesDisagreeException.class,
                    () -> verifier.requireFacesAgree(List.of("no_bias_gradient")));

            assertEquals("no_bias_gradient: its reference and fused faces disagree on a (3, 4) float64 input in "
                    + "training: grad of bias: the fused face computed none, the reference face did; fix the face "
                    + "that is wrong (`normkit verify no_bias_gradient` shows every check), or skip this check with "
                    + "--no-verify", e.getMessage());
            assertEquals(List.of(), verifier.verified());
        }

        @Test
        void aContractWithoutAShapeForTrainingIsRefusedWithTheLastReason() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> verifier.check("one_row_only"));

            assertEquals("one_row_only: none of its contract's example shapes [(1, 4)] can be used in training, so its "
                    + "faces cannot be compared (one_row_only cannot take (1, 4) in training); give the contract a "
                    + "shape with more than one value per statistics set", e.getMessage());
        }

        @Test
        void aContractWithoutShapesIsRefusedWithoutAReason() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> verifier.check("no_shapes"));

            assertEquals("no_shapes: none of its contract's example shapes [] can be used in training, so its faces "
                    + "cannot be compared; give the contract a shape with more than one value per statistics set",
                    e.getMessage());
        }

        @Test
        void anUnknownNameFailsAsTheRegistryDoes() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> verifier.requireFacesAgree(List.of("nope")));
            assertTrue(e.getMessage().startsWith("unknown normalization 'nope'; registered: agreeing, "), e.getMessage());
        }
    }
}
