package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.openjdk.jmh.runner.options.Options;

class SuitePlanTest {
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();

    /** The test-only norms; the real ones join this class path from bn-core and bn-variants. */
    private static final List<String> TOYS = List.of("batch_norm_toy", "toy_failing_norm", "toy_row_norm");

    @Nested
    class FromTheRegistry {
        @Test
        void everyRegisteredNormIsPlannedOrSkippedWithAReason() {
            SuitePlan plan = SuitePlan.of(REGISTRY, BenchSelection.all());
            for (String name : REGISTRY.names()) {
                assertTrue(plan.groups().stream().anyMatch(g -> g.norm().equals(name))
                        || plan.skipped().stream().anyMatch(s -> s.norm().equals(name)), name);
            }
        }

        @Test
        void eachNormIsPlannedOnItsOwnBenchmarkShapesInTheirOrder() {
            SuitePlan plan = SuitePlan.of(REGISTRY, BenchSelection.all().withNorms(TOYS));
            List<String> groups = plan.groups().stream().map(g -> g.norm() + " " + g.shapeText()).toList();
            assertEquals(List.of("batch_norm_toy 4x3x5x5", "toy_failing_norm 8x64", "toy_failing_norm 4x6x32",
                    "toy_row_norm 8x64", "toy_row_norm 4x6x32"), groups);
        }

        @Test
        void combinationsAreGroupsTimesDtypesFacesPassesThreads() {
            SuitePlan plan = SuitePlan.of(REGISTRY, BenchSelection.all().withNorms(TOYS));
            // 1 face for batch_norm_toy, 2 for each of the 4 row-norm groups; 2 dtypes × 3 passes × 2 threads.
            assertEquals((1 + 4 * 2) * 2 * 3 * 2, plan.normCombos());
            assertEquals(5 * 2 * 2, plan.copyCombos());
        }

        @Test
        void fusedFaceOfANormWithoutOneIsSkippedAsNotApplicable() {
            SuitePlan plan = SuitePlan.of(REGISTRY, BenchSelection.all().withNorms(TOYS));
            assertEquals(List.of(SuitePlan.Skip.of("batch_norm_toy", "4x3x5x5", "fused", "no fused face")),
                    plan.skipped());
            assertEquals(List.of(Face.REFERENCE), plan.groups().get(0).faces());
        }

        @Test
        void selectionNarrowsNormsAndFaces() {
            SuitePlan plan = SuitePlan.of(REGISTRY, BenchSelection.all().withNorms(List.of("toy_row_norm"))
                    .withFaces(List.of(Face.FUSED)).withDtypes(List.of(DType.FLOAT64)).withThreads(List.of(2)));
            assertEquals(2, plan.groups().size());
            assertEquals(2 * 3, plan.normCombos());
            assertTrue(plan.skipped().isEmpty());
        }

        @Test
        void bytesModelFollowsTheName() {
            SuitePlan plan = SuitePlan.of(REGISTRY, BenchSelection.all().withNorms(TOYS));
            assertEquals(BytesModel.BATCH, plan.groups().get(0).bytesModel());
            assertEquals(BytesModel.PER_SAMPLE, plan.groups().get(1).bytesModel());
        }
    }

    @Nested
    class Problems {
        @Test
        void aShapeTheNormRejectsIsSkippedWithTheReasonAndTheRestRuns() {
            SuitePlan plan = SuitePlan.of(List.of(TestProviders.rowNorm("odd_norm", List.of(Shape.of(7), Shape.of(2, 3)))),
                    BenchSelection.all());
            assertEquals(1, plan.groups().size());
            assertEquals("2x3", plan.groups().get(0).shapeText());
            SuitePlan.Skip skip = plan.skipped().get(0);
            assertEquals("7", skip.shape());
            assertTrue(skip.reason().startsWith("rejected: odd_norm does not accept the shape (7)"), skip.reason());
        }

        @Test
        void aNormWithoutBenchmarkShapesIsSkipped() {
            SuitePlan plan = SuitePlan.of(List.of(TestProviders.rowNorm("shapeless", List.of())), BenchSelection.all());
            assertTrue(plan.groups().isEmpty());
            assertEquals("its contract lists no benchmark shapes", plan.skipped().get(0).reason());
        }

        @Test
        void anUnknownNormNamesTheRegisteredOnes() {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> SuitePlan.of(REGISTRY, BenchSelection.all().withNorms(List.of("no_such_norm"))));
            assertTrue(e.getMessage().contains("unknown normalization 'no_such_norm'"), e.getMessage());
            for (String toy : TOYS) {
                assertTrue(e.getMessage().contains(toy), e.getMessage());
            }
        }

        @Test
        void anEmptyListOfDtypesIsRefusedWithAnExample() {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> BenchSelection.all().withDtypes(List.of()));
            assertTrue(e.getMessage().contains("float32,float64"), e.getMessage());
        }
    }

    @Nested
    class JmhOptions {
        @Test
        void oneRunPerGroupWithTheGroupsParametersAndTheForkArguments() {
            SuitePlan plan = SuitePlan.of(REGISTRY, BenchSelection.all().withNorms(List.of("batch_norm_toy")));
            RunSettings settings = RunSettings.full(List.of(Path.of("/opt/plugins/my-norm.jar")));
            Options o = SuiteRunner.options(plan.groups().get(0), plan.selection(), settings, 1);
            assertEquals(List.of("batch_norm_toy"), List.copyOf(o.getParameter("norm").get()));
            assertEquals(List.of("4x3x5x5"), List.copyOf(o.getParameter("shape").get()));
            assertEquals(List.of("reference"), List.copyOf(o.getParameter("face").get()));
            assertEquals(List.of("1", "2"), List.copyOf(o.getParameter("threads").get()));
            assertEquals(1, o.getForkCount().get());
            // The test suite runs with -Djmh.ignoreLock=true, which the forks inherit as a third argument.
            assertEquals(List.of("--add-modules=jdk.incubator.vector", "-Dnormkit.plugins=/opt/plugins/my-norm.jar"),
                    List.copyOf(o.getJvmArgs().get()).subList(0, 2));
            assertEquals(Boolean.getBoolean("jmh.ignoreLock"), o.getJvmArgs().get().contains("-Djmh.ignoreLock=true"));
            assertEquals(2, o.getIncludes().size());
        }

        @Test
        void quickRunsEverythingInOneJvmWithShortIterations() {
            RunSettings quick = RunSettings.quick(List.of());
            assertEquals(0, quick.forks());
            assertEquals(1, quick.warmupIterations());
            assertEquals(2, quick.iterations());
            assertEquals(100, quick.iterationTime().toMillis());
            assertEquals(RunSettings.VECTOR_MODULE, quick.jvmArgs().get(0));
        }
    }
}
