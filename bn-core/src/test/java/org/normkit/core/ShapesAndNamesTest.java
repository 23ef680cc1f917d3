package org.normkit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.batch.BatchNorm;
import org.normkit.core.kernel.Layout;

/**
 * Small facts the norms rely on: the shape of γ and β under each contract, a family member asked for by a name it
 * does not have, sizes of 1 accepted where a contract says "every size ≥ 1", options-only specs, and the sizes a rows
 * layout refuses.
 */
class ShapesAndNamesTest {

    /** A trailing norm (as LayerNorm): γ and β take the shape of normalized_shape, not (numFeatures). */
    static final class Trailing extends Norm {
        Trailing() {
            super("trailing_norm", "test double", ContractPreset.trailing());
        }

        @Override
        public Layout layout(NormLayer layer, Shape input) {
            int k = layer.normalizedShape().numel();
            return Layout.rows(input.numel() / k, k);
        }

        @Override
        public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
            return x;
        }
    }

    @Test
    void gammaHasTheShapeOfNormalizedShapeUnderTheTrailingContractAndOfTheChannelsOtherwise() {
        NormLayer trailing = new Trailing().create(NormSpec.of(6).withOption(ContractPreset.NORMALIZED_SHAPE, "2,3"));
        assertEquals(Shape.of(2, 3), trailing.weight().orElseThrow().shape());
        assertEquals(Shape.of(2, 3), trailing.bias().orElseThrow().shape());
        assertEquals(Shape.of(6), new BatchNorm().create("batch_norm2d", NormSpec.of(6)).weight().orElseThrow()
                .shape());
    }

    @Test
    void aMemberNameTheFamilyDoesNotHaveIsRefusedListingItsNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BatchNorm().create("batch_norm4d", NormSpec.of(3)));
        assertEquals("BatchNorm has no member named 'batch_norm4d'; its names: batch_norm, batch_norm1d, "
                + "batch_norm2d, batch_norm3d", e.getMessage());
    }

    @Test
    void sizesOfOneAreAcceptedAndEmptyDimensionsAreNot() {
        ContractPreset channels = ContractPreset.channelFirst(2, 3);
        assertTrue(channels.accepts(Shape.of(1, 1)));
        assertTrue(channels.accepts(Shape.of(4, 1, 1)));
        assertFalse(channels.accepts(Shape.of(4, 0)));
        assertTrue(ContractPreset.trailing().accepts(Shape.of(1)));
        assertTrue(ContractPreset.anyRank().accepts(Shape.of(1, 1, 1, 1, 1, 1)));
    }

    @Test
    void aSpecFromOptionsAloneTakesItsFeaturesFromTheInput() {
        NormSpec spec = ContractPreset.channelFirst(3).specFor(Shape.of(2, 5, 4), Map.of("momentum_unused", "1"));
        assertEquals(5, spec.numFeatures());
        assertEquals("1", spec.option("momentum_unused").orElseThrow());
        NormSpec trailing = ContractPreset.trailing().specFor(Shape.of(2, 3, 4), Map.of());
        assertEquals(4, trailing.numFeatures());
        assertEquals("4", trailing.option(ContractPreset.NORMALIZED_SHAPE).orElseThrow());
    }

    @Test
    void aRowsLayoutRefusesSizesBelowOneBeforeAnythingElse() {
        ShapeException groups = assertThrows(ShapeException.class, () -> Layout.rows(2, 3, 0, 1, 3));
        assertEquals("rows layout: every size must be >= 1, got rows=2, rowLength=3, groupsPerSample=0",
                groups.getMessage());
        ShapeException negative = assertThrows(ShapeException.class, () -> Layout.rows(2, 3, 1, -1, -3));
        assertEquals("rows layout: every size must be >= 1, got channelsPerGroup=-1, spatial=-3, rows=2",
                negative.getMessage());
    }
}
