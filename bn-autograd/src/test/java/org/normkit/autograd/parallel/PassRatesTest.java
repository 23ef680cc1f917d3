package org.normkit.autograd.parallel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The rates file is read as written; a missing rate is an error that names it and the way out. */
class PassRatesTest {

    @Test
    void aRateOfTheFileIsReadAsAPositiveNumberOfNanoseconds() {
        double rate = PassRates.nanosPerElement("backward.rows.float32");

        assertTrue(rate > 0 && rate < 100, Double.toString(rate));
    }

    @Test
    void anUnknownKeyIsAnErrorNamingItAndTheCommandThatRewritesTheFile() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PassRates.nanosPerElement("backward.columns.float16"));

        assertTrue(e.getMessage().startsWith(PassRates.FILE + " has no rate backward.columns.float16"), e.getMessage());
        assertTrue(e.getMessage().contains("./normkit readme --write"), e.getMessage());
    }
}
