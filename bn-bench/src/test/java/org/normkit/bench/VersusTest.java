package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.bench.versus.Case;
import org.normkit.bench.versus.HeadToHead;

/** What {@code normkit bench --peer} hands its benchmark JVM, and the cases that JVM makes of the plan. */
class VersusTest {
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();

    private static BenchSelection maskedAndNot() {
        return BenchSelection.all().withNorms(List.of("batch_norm2d", "layer_norm")).withFaces(List.of(Face.FUSED))
                .withDtypes(List.of(DType.FLOAT32)).withPasses(List.of(BenchPass.TRAIN_FORWARD))
                .withMasks(List.of(BenchMask.NONE, BenchMask.PADDED));
    }

    @Test
    void theMaskedCallIsACaseForTheNormsThatTakeAMaskAndSkippedForTheOthers() {
        BenchPlan plan = BenchPlan.of(REGISTRY, maskedAndNot());

        List<Case> cases = Versus.cases(plan);

        assertTrue(cases.stream().anyMatch(c -> c.norm().equals("batch_norm2d") && c.mask() == BenchMask.PADDED),
                cases.toString());
        assertTrue(cases.stream().noneMatch(c -> c.norm().equals("layer_norm") && c.mask() == BenchMask.PADDED),
                cases.toString());
        assertEquals(cases.stream().filter(c -> c.norm().equals("batch_norm2d") && c.mask() == BenchMask.NONE).count(),
                cases.stream().filter(c -> c.mask() == BenchMask.PADDED).count(), "batch_norm2d masked and not: " + cases);
        assertTrue(plan.skipped().stream().anyMatch(s -> s.norm().equals("layer_norm") && "padded".equals(s.mask())),
                plan.skipped().toString());
    }

    @Test
    void eachBenchmarkJvmIsToldItsOneCaseAndReadsItBack() {
        Case masked = new Case("batch_norm2d", Shape.parse("8x256x14x14"), DType.FLOAT64,
                BenchPass.TRAIN_FORWARD_BACKWARD, BenchMask.PADDED);

        List<String> args = Versus.arguments(masked, List.of(1, 2), List.of("pytorch"), HeadToHead.Settings.quick());
        Map<String, String> told = new HashMap<>();
        for (int i = 0; i + 1 < args.size(); i += 2) {
            told.put(args.get(i), args.get(i + 1));
        }

        assertEquals(masked, Versus.caseOf(told));
        assertEquals("1,2", told.get("--threads"));
    }

    @Test
    void thePerCaseReportsMergeInCaseOrderWithTheRunsLoadAndEverySkip() {
        MachineInfo machine = new MachineInfo("cpu", 2, "java", "-Xms2g", "2026-12-03T08:00:00Z", "1 1 1 at the start");
        BenchReport first = new BenchReport(machine, null, "method", null, 0, Map.of("pytorch-2.10", "libtorch"),
                List.of(row("batch_norm1d")), List.of(), Map.of());
        BenchPlan.Skip peerSkip = new BenchPlan.Skip(null, "layer_norm", "4x8", "float32", "train_forward", null,
                "padded", null, "pytorch-1.13 has no masked call");
        BenchReport second = new BenchReport(machine.withLoad("9 9 9"), null, "method", null, 0,
                Map.of("pytorch-2.10", "libtorch"), List.of(row("layer_norm")), List.of(peerSkip), Map.of());
        BenchPlan.Skip planSkip = new BenchPlan.Skip(null, "dyt", null, null, null, null, null, null, "no peer call");
        BenchPlan.Skip failed = new BenchPlan.Skip(null, "group_norm", null, null, null, null, null, null,
                "failed: the benchmark JVM exited with code 1");

        BenchReport merged = Versus.merged(List.of(first, second), List.of(planSkip), List.of(failed),
                "2 2 2 at the start, 3 3 3 at the end");

        assertEquals(List.of("batch_norm1d", "layer_norm"), merged.results().stream().map(BenchResult::norm).toList());
        assertEquals(List.of(planSkip, peerSkip, failed), merged.skipped());
        assertEquals("2 2 2 at the start, 3 3 3 at the end", merged.machine().load());
        assertEquals(Map.of("pytorch-2.10", "libtorch"), merged.peers());
    }

    @Test
    void everyForkOfACaseIsToldHowManyForksThereAreSoItsMethodSaysSo() {
        Case plain = new Case("layer_norm", Shape.parse("4x8"), DType.FLOAT32, BenchPass.TRAIN_FORWARD);
        List<String> args = Versus.arguments(plain, List.of(1), List.of("pytorch-2.10"),
                HeadToHead.Settings.full().withForks(3));

        assertEquals("3", args.get(args.indexOf("--forks") + 1));
        assertTrue(HeadToHead.Settings.full().withForks(3).describe().contains("each case in 3 fresh JVMs"),
                HeadToHead.Settings.full().withForks(3).describe());
        assertTrue(HeadToHead.Settings.full().describe().contains("each case in a fresh JVM with fresh peers"),
                HeadToHead.Settings.full().describe());
    }

    @Test
    void theForksOfACasePoolTheirRoundsIntoOneMedianPerRow() {
        Case plain = new Case("layer_norm", Shape.parse("4x8"), DType.FLOAT32, BenchPass.TRAIN_FORWARD);
        MachineInfo machine = new MachineInfo("cpu", 2, "java", "-Xms2g", "2026-12-03T08:00:00Z", "1 1 1");
        // Fork 1 was a slow JVM for normkit (ratios 2, 2, 2), fork 2 a fast one (1, 1, 0.5): pooled, the median of
        // the six ratios, 1.5, not either JVM's.
        BenchReport slow = fork(machine, List.of(4.0, 4.0, 4.0), List.of(2.0, 2.0, 2.0));
        BenchReport fast = fork(machine, List.of(2.0, 2.0, 1.0), List.of(2.0, 2.0, 2.0));

        BenchReport pooled = Versus.pooled(plain, List.of(slow, fast));

        BenchResult row = pooled.results().get(0);
        assertEquals(1.5, row.comparison().normkitOver().get("pytorch-2.10"), 1e-12);
        assertEquals(3.0, row.ms(), 1e-12);
        assertEquals(6, row.comparison().perRound().get("normkit").size());
        assertEquals(2.0, row.comparison().peerMs().get("pytorch-2.10"), 1e-12);
        assertTrue(Versus.pooled(plain, List.of(slow)) == slow, "one fork is its own report");
    }

    private static BenchReport fork(MachineInfo machine, List<Double> ours, List<Double> theirs) {
        Map<String, List<Double>> perRound = new java.util.LinkedHashMap<>();
        perRound.put("normkit", ours);
        perRound.put("pytorch-2.10", theirs);
        perRound.put("normkit copy ×1", List.of(0.5, 0.5, 0.5));
        BenchResult row = BenchResult.headToHead("layer_norm", "4x8", "float32", "train_forward", "none", 1, 0,
                new BenchResult.PeerComparison(Map.of("pytorch-2.10", 2.0), Map.of("pytorch-2.10", 1.0), 0.5, 1.0,
                        "normkit copy ×1", perRound));
        return new BenchReport(machine, null, "method", null, 0, Map.of("pytorch-2.10", "libtorch"), List.of(row),
                List.of(), Map.of());
    }

    @Test
    void aRunWhereNoCaseFinishedIsAnErrorThatNamesTheFailures() {
        BenchPlan.Skip failed = new BenchPlan.Skip(null, "group_norm", null, null, null, null, null, null,
                "failed: out of memory");

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Versus.merged(List.of(), List.of(), List.of(failed), "1 1 1"));

        assertTrue(e.getMessage().contains("out of memory"), e.getMessage());
    }

    private static BenchResult row(String norm) {
        return BenchResult.headToHead(norm, "4x8", "float32", "train_forward", "none", 1, 1.0,
                new BenchResult.PeerComparison(Map.of("pytorch-2.10", 2.0), Map.of("pytorch-2.10", 0.5), 0.5, 2.0,
                        "normkit copy ×1", Map.of()));
    }
}
