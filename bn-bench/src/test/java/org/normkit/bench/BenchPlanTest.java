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

/** The one plan of both benchmarks: what runs, what is skipped and why, and the JMH options of a group. */
class BenchPlanTest {
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();

    /** The test-only norms; the real ones join this class path from bn-core and bn-variants. */
    private static final List<String> TOYS = List.of("batch_norm_toy", "toy_failing_norm", "toy_row_norm");

    @Nested
    class Kernels {
        @Test
        void everyRegisteredNormIsPlannedOrSkippedWithAReason() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.all());
            for (String name : REGISTRY.names()) {
                assertTrue(plan.groups().stream().anyMatch(g -> g.norm().equals(name))
                        || plan.skipped().stream().anyMatch(s -> s.norm().equals(name)), name);
            }
        }

        @Test
        void eachNormIsPlannedOnItsOwnBenchmarkShapesInTheirOrder() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.all().withNorms(TOYS));
            List<String> groups = plan.groups().stream().map(g -> g.norm() + " " + g.shapeText()).toList();
            assertEquals(List.of("batch_norm_toy 4x3x5x5", "toy_failing_norm 8x64", "toy_failing_norm 4x6x32",
                    "toy_row_norm 8x64", "toy_row_norm 4x6x32"), groups);
        }

        @Test
        void combinationsAreGroupsTimesDtypesFacesMasksPassesThreads() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.all().withNorms(TOYS));
            // 1 face for batch_norm_toy, 2 for each of the 4 row-norm groups; 2 dtypes × 3 passes × 2 threads.
            assertEquals((1 + 4 * 2) * 2 * 3 * 2, plan.rowCombos());
            assertEquals(5 * 2 * 2, plan.copyCombos());
            assertEquals(plan.rowCombos() + plan.copyCombos(), plan.combos());
        }

        @Test
        void fusedFaceOfANormWithoutOneIsSkippedAsNotApplicable() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.all().withNorms(TOYS));
            assertEquals(List.of(BenchPlan.Skip.kernel("batch_norm_toy", "4x3x5x5", "fused", "*", "no fused face")),
                    plan.skipped());
            assertEquals(List.of(Face.REFERENCE), plan.groups().get(0).faces());
        }

        @Test
        void selectionNarrowsNormsAndFaces() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.all().withNorms(List.of("toy_row_norm"))
                    .withFaces(List.of(Face.FUSED)).withDtypes(List.of(DType.FLOAT64)).withThreads(List.of(2)));
            assertEquals(2, plan.groups().size());
            assertEquals(2 * 3, plan.rowCombos());
            assertTrue(plan.skipped().isEmpty());
        }

        @Test
        void bytesModelFollowsTheName() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.all().withNorms(TOYS));
            assertEquals(BytesModel.BATCH, plan.groups().get(0).bytesModel());
            assertEquals(BytesModel.PER_SAMPLE, plan.groups().get(1).bytesModel());
        }
    }

    @Nested
    class MaskAxis {
        private final BenchSelection padded = BenchSelection.all()
                .withNorms(List.of("group_norm", "layer_norm", "toy_row_norm"))
                .withMasks(List.of(BenchMask.NONE, BenchMask.PADDED)).withDtypes(List.of(DType.FLOAT32))
                .withThreads(List.of(1));

        @Test
        void aNormThatTakesAMaskIsPlannedWithAndWithoutIt() {
            BenchPlan plan = BenchPlan.of(REGISTRY, padded);
            List<BenchPlan.Group> groupNorm = plan.groups().stream().filter(g -> g.norm().equals("group_norm"))
                    .toList();
            assertTrue(!groupNorm.isEmpty(), plan.groups().toString());
            for (BenchPlan.Group g : groupNorm) {
                assertEquals(List.of(BenchMask.NONE, BenchMask.PADDED), g.masks());
            }
        }

        @Test
        void aNormThatTakesNoMaskKeepsItsUnmaskedRowsAndListsThePaddedOnesNotApplicable() {
            BenchPlan plan = BenchPlan.of(REGISTRY, padded);
            for (String norm : List.of("layer_norm", "toy_row_norm")) {
                List<BenchPlan.Group> groups = plan.groups().stream().filter(g -> g.norm().equals(norm)).toList();
                assertTrue(!groups.isEmpty(), norm);
                groups.forEach(g -> assertEquals(List.of(BenchMask.NONE), g.masks(), norm));
                List<BenchPlan.Skip> skips = plan.skipped().stream().filter(s -> s.norm().equals(norm)).toList();
                assertEquals(groups.size(), skips.size(), skips.toString());
                skips.forEach(s -> {
                    assertEquals("padded", s.mask());
                    assertEquals("takes no mask of valid positions", s.reason());
                });
            }
        }

        @Test
        void theMaskAxisMultipliesTheRowsOfTheNormsThatTakeOne() {
            BenchPlan plan = BenchPlan.of(REGISTRY, padded);
            BenchPlan unmasked = BenchPlan.of(REGISTRY, padded.withMasks(List.of(BenchMask.NONE)));
            int maskedGroups = (int) plan.groups().stream().filter(g -> g.masks().size() == 2).count();
            // Each masked group adds its faces × 3 passes (one dtype, one thread count).
            int added = plan.groups().stream().filter(g -> g.masks().size() == 2)
                    .mapToInt(g -> g.faces().size() * 3).sum();
            assertTrue(maskedGroups > 0);
            assertEquals(unmasked.rowCombos() + added, plan.rowCombos());
            assertEquals(unmasked.copyCombos(), plan.copyCombos());
        }

        @Test
        void theGroupsJmhRunGetsTheMaskParameter() {
            BenchPlan plan = BenchPlan.of(REGISTRY, padded.withNorms(List.of("group_norm")));
            Options o = BenchRunner.options(plan.groups().get(0), plan.selection(), RunSettings.quick(List.of()),
                    List.of());
            assertEquals(List.of("none", "padded"), List.copyOf(o.getParameter("mask").get()));
        }

        @Test
        void anUnknownMaskNamesTheKnownOnes() {
            var e = assertThrows(IllegalArgumentException.class, () -> BenchMask.parse("ragged"));
            assertEquals("unknown mask 'ragged': expected one of none, padded", e.getMessage());
        }
    }

    @Nested
    class Training {
        @Test
        void theNetWithoutNormsRunsOncePerNetWhateverTheFaces() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.training()
                    .withNorms(List.of("none", "batch_norm")).withThreads(List.of(1, 2)));
            List<Face> both = List.of(Face.REFERENCE, Face.FUSED);
            List<BenchPlan.Group> expected = new java.util.ArrayList<>();
            for (String net : List.of("mlp", "lenet", "transformer", "lstm")) {
                expected.add(BenchPlan.Group.training(net, "none", List.of(Face.REFERENCE)));
                expected.add(BenchPlan.Group.training(net, "batch_norm", both));
            }
            assertEquals(expected, plan.groups());
            assertEquals(24, plan.combos());
            assertEquals(0, plan.copyCombos());
            assertTrue(plan.skipped().isEmpty(), plan.skipped().toString());
        }

        @Test
        void aNormThatCannotSitInTheNetIsSkippedWithTheReason() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.training()
                    .withNets(List.of("lenet")).withNorms(List.of("batch_norm1d")));
            assertTrue(plan.groups().isEmpty());
            BenchPlan.Skip skip = plan.skipped().get(0);
            assertEquals("*", skip.face());
            assertEquals("lenet batch_norm1d", skip.what());
            assertTrue(skip.reason().contains("batch_norm1d cannot normalise the activation"), skip.reason());
        }

        @Test
        void everyRegisteredNormAndNoneByDefault() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.training().withNets(List.of("mlp")));
            long planned = plan.groups().size() + plan.skipped().stream().filter(s -> s.face().equals("*")).count();
            assertEquals(REGISTRY.names().size() + 1, planned);
            assertEquals("none", plan.groups().get(0).norm());
        }

        @Test
        void unknownNamesAreErrorsThatListTheKnownOnes() {
            IllegalArgumentException norm = assertThrows(IllegalArgumentException.class, () -> BenchPlan.of(
                    REGISTRY, BenchSelection.training().withNorms(List.of("no_such_norm"))));
            assertTrue(norm.getMessage().contains("registered: batch_norm"), norm.getMessage());
            IllegalArgumentException net = assertThrows(IllegalArgumentException.class,
                    () -> BenchSelection.training().withNets(List.of("resnet")));
            assertTrue(net.getMessage().contains("expected one of [mlp, lenet, transformer, lstm]"), net.getMessage());
        }

        @Test
        void theGroupsJmhRunTimesTrainingStepsInSamplesPerSecond() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.training().withNets(List.of("mlp"))
                    .withNorms(List.of("batch_norm")));
            Options o = BenchRunner.options(plan.groups().get(0), plan.selection(), RunSettings.trainingQuick(List.of()),
                    List.of());
            assertEquals(List.of("mlp"), List.copyOf(o.getParameter("net").get()));
            assertEquals(List.of("reference", "fused"), List.copyOf(o.getParameter("face").get()));
            assertEquals(org.openjdk.jmh.annotations.Mode.Throughput, o.getBenchModes().iterator().next());
            assertEquals(1, o.getIncludes().size());
        }
    }

    @Nested
    class Problems {
        @Test
        void aShapeTheNormRejectsIsSkippedWithTheReasonAndTheRestRuns() {
            BenchPlan plan = BenchPlan.kernel(List.of(TestProviders.rowNorm("odd_norm", List.of(Shape.of(7),
                    Shape.of(2, 3)))), BenchSelection.all());
            assertEquals(1, plan.groups().size());
            assertEquals("2x3", plan.groups().get(0).shapeText());
            BenchPlan.Skip skip = plan.skipped().get(0);
            assertEquals("7", skip.shape());
            assertTrue(skip.reason().startsWith("rejected: odd_norm does not accept the shape (7)"), skip.reason());
        }

        @Test
        void aNormWithoutBenchmarkShapesIsSkipped() {
            BenchPlan plan = BenchPlan.kernel(List.of(TestProviders.rowNorm("shapeless", List.of())),
                    BenchSelection.all());
            assertTrue(plan.groups().isEmpty());
            assertEquals("its contract lists no benchmark shapes", plan.skipped().get(0).reason());
        }

        @Test
        void anUnknownNormNamesTheRegisteredOnes() {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> BenchPlan.of(REGISTRY, BenchSelection.all().withNorms(List.of("no_such_norm"))));
            assertTrue(e.getMessage().contains("unknown normalization 'no_such_norm'"), e.getMessage());
            for (String toy : TOYS) {
                assertTrue(e.getMessage().contains(toy), e.getMessage());
            }
        }

        @Test
        void anEmptyListOfAKernelAxisIsRefusedWithAnExample() {
            var dtypes = assertThrows(IllegalArgumentException.class,
                    () -> BenchSelection.all().withDtypes(List.of()));
            assertTrue(dtypes.getMessage().contains("float32,float64"), dtypes.getMessage());
            var masks = assertThrows(IllegalArgumentException.class, () -> BenchSelection.all().withMasks(List.of()));
            assertTrue(masks.getMessage().contains("none,padded"), masks.getMessage());
        }
    }

    @Nested
    class JmhOptions {
        @Test
        void oneRunPerGroupWithTheGroupsParametersAndTheForkArguments() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.all().withNorms(List.of("batch_norm_toy")));
            RunSettings settings = RunSettings.full(List.of(Path.of("/opt/plugins/my-norm.jar")));
            Options o = BenchRunner.options(plan.groups().get(0), plan.selection(), settings, settings.jvmArgs());
            assertEquals(List.of("batch_norm_toy"), List.copyOf(o.getParameter("norm").get()));
            assertEquals(List.of("4x3x5x5"), List.copyOf(o.getParameter("shape").get()));
            assertEquals(List.of("reference"), List.copyOf(o.getParameter("face").get()));
            assertEquals(List.of("none"), List.copyOf(o.getParameter("mask").get()));
            assertEquals(List.of("1", "2"), List.copyOf(o.getParameter("threads").get()));
            assertEquals(1, o.getForkCount().get());
            // The test suite runs with -Djmh.ignoreLock=true, which the forks inherit as a third argument.
            assertEquals(List.of("--add-modules=jdk.incubator.vector", "-Dnormkit.plugins=/opt/plugins/my-norm.jar"),
                    List.copyOf(o.getJvmArgs().get()).subList(0, 2));
            assertEquals(Boolean.getBoolean("jmh.ignoreLock"), o.getJvmArgs().get().contains("-Djmh.ignoreLock=true"));
            assertEquals(2, o.getIncludes().size());
        }

        @Test
        void quickRunsEverythingInTheBenchmarkJvmWithShortIterations() {
            RunSettings quick = RunSettings.quick(List.of());
            assertEquals(0, quick.forks());
            assertEquals(1, quick.warmupIterations());
            assertEquals(2, quick.iterations());
            assertEquals(100, quick.iterationTime().toMillis());
            assertEquals(RunSettings.VECTOR_MODULE, quick.jvmArgs().get(0));
        }
    }
}
