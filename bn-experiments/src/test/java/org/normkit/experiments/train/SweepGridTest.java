package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.normkit.experiments.report.SweptSetting;
import org.normkit.experiments.report.Variation;

class SweepGridTest {

    private static List<SweepGrid.Point> points(List<String> norms, String... vary) {
        return SweepGrid.points(TinyData.config(norms, Path.of("unused")),
                List.of(vary).stream().map(SweptSetting::parse).toList(), TinyData.REGISTRY);
    }

    @Test
    void theCategoricalSettingsOfferTheValuesExperimentAccepts() {
        assertEquals(Initialisation.NAMES, SweptSetting.INIT.values());
        assertEquals(Nets.NAMES, SweptSetting.NET.values());
    }

    @Test
    void aGridOfTwoSettingsHoldsEveryCombinationTheFirstOutermost() {
        List<SweepGrid.Point> points = points(List.of("none"), "init=xavier,kaiming", "lr=0.1,0.9");

        assertEquals(List.of(List.of("xavier", "0.1"), List.of("xavier", "0.9"), List.of("kaiming", "0.1"),
                List.of("kaiming", "0.9")), points.stream().map(SweepGrid.Point::values).toList());
        assertEquals("kaiming", points.get(3).config().init());
        assertEquals(0.9, points.get(3).config().lr().getAsDouble());
    }

    @Test
    void everySettingANameStandsForReachesTheExperiment() {
        ExperimentConfig base = TinyData.config(List.of("group_norm"), Path.of("unused"));
        List<Variation> one = List.of(SweptSetting.parse("weight-decay=0.01"), SweptSetting.parse("face=reference"));

        ExperimentConfig point = SweepGrid.points(base, one, TinyData.REGISTRY).get(0).config();

        assertEquals(0.01, point.weightDecay());
        assertEquals(org.normkit.autograd.spi.Face.REFERENCE, point.face());
        assertEquals(0.2, SweepGrid.apply(base, SweptSetting.DROPOUT, "0.2").dropout());
        assertEquals(0.5, SweepGrid.apply(base, SweptSetting.GRAD_PENALTY, "0.5").gradPenalty());
        assertEquals("linear", SweepGrid.apply(base, SweptSetting.LR_SCALING, "linear").lrScaling());
        assertEquals("sgd", SweepGrid.apply(base, SweptSetting.OPTIMIZER, "sgd").optimizerFor("none"));
        assertEquals("lenet", SweepGrid.apply(base, SweptSetting.NET, "lenet").net());
        assertEquals(64, SweepGrid.apply(base, SweptSetting.BATCH_SIZE, "64").batchSize());
        assertEquals(List.of("group_norm:groups=4"),
                SweepGrid.apply(base, SweptSetting.parse("groups=4").setting(), "4").norms());
    }

    @Test
    void aThirdSettingAndOneSettingTwiceAreRefused() {
        IllegalArgumentException three = assertThrows(IllegalArgumentException.class,
                () -> points(List.of("none"), "init=xavier", "lr=0.1", "dropout=0.1"));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> points(List.of("none"), "lr=0.1", "lr=0.2"));

        assertTrue(three.getMessage().startsWith("--vary is given 3 times: a sweep varies one setting, or two as a "
                + "grid"), three.getMessage());
        assertEquals("--vary lr is given twice: list all its values in one --vary", twice.getMessage());
    }

    @Test
    void aNormOptionTheLabelSetsAlreadyIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> points(List.of("group_norm:groups=2"), "groups=1,2"));

        assertEquals("--vary groups: --norms group_norm:groups=2 sets groups already; leave it out of the label to "
                + "vary it", e.getMessage());
    }

    @Test
    void anOptionNoNormTakesIsNamedWithTheOptionsTheyTake() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> points(List.of("group_norm"), "grups=1,2"));

        assertTrue(e.getMessage().startsWith("--vary grups is neither a setting a sweep can vary (batch-size, lr, "),
                e.getMessage());
        assertTrue(e.getMessage().contains("nor an option of the norms in --norms (they take affine, eps, groups, "),
                e.getMessage());
    }

    @Test
    void anOptionEveryNormTakesIsSetInEachLabel() {
        List<SweepGrid.Point> points = points(List.of("batch_norm", "layer_norm"), "eps=1e-5,0.001");

        assertEquals(List.of("batch_norm:eps=0.00001", "layer_norm:eps=0.00001"), points.get(0).config().norms());
        assertEquals(List.of("batch_norm:eps=0.001", "layer_norm:eps=0.001"), points.get(1).config().norms());
    }
}
