package org.normkit.cli.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bn-core's kernel pass rates are the committed benchmark run's, not constants of their own. */
class KernelPassRatesTest {

    /** Surefire runs in the module's folder; the repository root is its parent. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void theCommittedRatesAreWhatTheCommittedBenchmarkRunGives() throws IOException {
        String committed = Files.readString(ROOT.resolve(KernelPassRates.FILE), StandardCharsets.UTF_8);

        assertEquals(KernelPassRates.render(ROOT), committed,
                "run ./normkit readme --write after replacing " + KernelBenchFigure.RESULTS);
    }

    @Test
    void everyPassLayoutAndDtypeGetsAPositiveRate() {
        String rendered = KernelPassRates.render(ROOT);

        for (String pass : new String[] {"forward", "normalize", "backward", "moments"}) {
            for (String layout : new String[] {"channels", "rows"}) {
                for (String dtype : new String[] {"float32", "float64"}) {
                    String key = pass + "." + layout + "." + dtype + " = ";
                    int at = rendered.indexOf(key);
                    assertTrue(at >= 0, key);
                    double rate = Double.parseDouble(rendered.substring(at + key.length(),
                            rendered.indexOf('\n', at)));
                    assertTrue(rate > 0, key + rate);
                }
            }
        }
    }

    @Test
    void aRunWithoutTheInCacheShapesIsAnErrorNamingTheFile(@TempDir Path root) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelPassRates.render(root));

        assertTrue(e.getMessage().contains(KernelBenchFigure.RESULTS), e.getMessage());
    }
}
