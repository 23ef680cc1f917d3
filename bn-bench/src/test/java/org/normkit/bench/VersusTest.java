package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.tensor.DType;
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
    void theBenchmarkJvmIsToldTheMasks() {
        List<String> args = Versus.arguments(maskedAndNot(), List.of("pytorch"), HeadToHead.Settings.quick());

        assertEquals("none,padded", args.get(args.indexOf("--masks") + 1));
    }
}
