package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PeerComparisonTest {
    private static final BenchReport WITH_PEER = Reports.report(List.of(
                    Reports.row("batch_norm2d", "fused", 1, 4.0, 2.0),       // 2 copies
                    Reports.row("batch_norm2d", "reference", 1, 40.0, 2.0),  // 20 copies
                    Reports.row("batch_norm2d", "fused", 2, 3.0, 1.5),       // no peer row at 2 threads
                    Reports.row("layer_norm", "fused", 1, 1.0, 1.0)))
            .withPeer(new BenchReport.PeerRun(Reports.PEER_MACHINE, List.of(
                    Reports.peerRow("batch_norm2d", 1, 9.0, 3.0),            // 3 copies
                    Reports.peerRow("layer_norm", 1, 2.0, 0.5))));           // 4 copies

    @Nested
    class Ratios {
        @Test
        void normkitOverPytorchIsTheRatioOfTheRatiosToCopy() {
            PeerComparison.Row fused = PeerComparison.match(WITH_PEER).get(0);
            assertEquals(3.0, fused.peerRatioToCopy(), 0);
            assertEquals(2.0 / 3.0, fused.normkitOverPytorch(), 1e-15);
            assertEquals(4.0 / 9.0, fused.msRatio(), 1e-15);
        }

        @Test
        void everyFaceOfOursMeetsTheSamePeerRow() {
            PeerComparison.Row reference = PeerComparison.match(WITH_PEER).get(1);
            assertEquals(20.0 / 3.0, reference.normkitOverPytorch(), 1e-12);
        }

        @Test
        void rowsMatchOnNormShapeDtypePassAndThreads() {
            PeerComparison.Row twoThreads = PeerComparison.match(WITH_PEER).get(2);
            assertNull(twoThreads.peer());
            assertTrue(Double.isNaN(twoThreads.normkitOverPytorch()));
        }

        @Test
        void geometricMeanOverTheMatchedRowsOfAFace() {
            List<PeerComparison.Row> rows = PeerComparison.match(WITH_PEER);
            // fused: 2/3 (batch_norm2d) and 1/4 (layer_norm).
            assertEquals(Math.sqrt(2.0 / 3.0 * 0.25), PeerComparison.geometricMean(rows, "fused"), 1e-12);
            assertEquals(2, PeerComparison.matched(rows, "fused"));
        }

        @Test
        void medianCopyRatioComparesTheTwoBaselines() {
            // copies: 2/3 (bn fused), 2/3 (bn reference), 1/0.5 (ln) -> median 2/3.
            assertEquals(2.0 / 3.0, PeerComparison.medianCopyRatio(PeerComparison.match(WITH_PEER)), 1e-12);
        }
    }

    @Nested
    class Tables {
        @Test
        void theTerminalTableHasThePeerColumnsOnlyWithAPeer() {
            String with = ReportTable.text(WITH_PEER);
            assertTrue(with.contains("PyTorch × copy") && with.contains("normkit ÷ PyTorch"), with);
            assertTrue(with.contains("0.67"), with);
            String without = ReportTable.text(Reports.report(WITH_PEER.results()));
            assertFalse(without.contains("PyTorch"), without);
            for (String h : List.of("norm", "shape", "dtype", "pass", "face", "threads", "ms", "× copy", "GB/s")) {
                assertTrue(without.contains(h), h);
            }
        }

        @Test
        void aSkippedFaceIsShownNotApplicableWithItsReason() {
            String text = ReportTable.text(WITH_PEER);
            assertTrue(text.lines().anyMatch(l -> l.startsWith("batch_norm_toy") && l.contains("fused")
                    && l.endsWith("n/a")), text);
            assertTrue(text.contains("batch_norm_toy 4x3x5x5 fused: no fused face"), text);
        }

        @Test
        void theMarkdownReportHasTheMachineTheTableAndTheBytesModel() {
            String md = ReportTable.markdown(WITH_PEER);
            for (String part : List.of("| CPU | Test CPU |", "| cores | 2 |", "## Results", "| norm | shape |",
                    "| PyTorch × copy | normkit ÷ PyTorch |", "## Bytes model", "| copy baseline | 2 | 2 | 2 |",
                    "## Against PyTorch", "geometric mean over 2 fused rows: 0.41", "PyTorch 1.13.1")) {
                assertTrue(md.contains(part), part + "\n" + md);
            }
        }

        @Test
        void millisecondsKeepFourSignificantDigits() {
            assertEquals("0.00001234", ReportTable.formatMs(0.000012344));
            assertEquals("3.142", ReportTable.formatMs(Math.PI));
            assertEquals("1235", ReportTable.formatMs(1234.6));
            assertEquals("—", ReportTable.formatMs(Double.NaN));
        }
    }
}
