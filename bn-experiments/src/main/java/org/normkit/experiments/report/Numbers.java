package org.normkit.experiments.report;

import java.math.BigDecimal;
import java.util.Locale;

/** How reports and the CSV spell numbers: always in {@link Locale#ROOT}, so a German locale never writes "0,87". */
final class Numbers {

    private Numbers() {}

    /**
     * The shortest decimal that reads back as exactly {@code value}, without exponent: {@code 1.0E-4} becomes
     * {@code 0.0001}, {@code 32.0} becomes {@code 32}. Non-finite values are spelled as Java spells them.
     */
    static String plain(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        if (value == 0) {
            return "0";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /** {@code value} with {@code decimals} decimals, or "n/a" when it is NaN. */
    static String fixed(double value, int decimals) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A difference with its sign always shown, e.g. "+0.0130". */
    static String signed(double value, int decimals) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%+." + decimals + "f", value);
    }

    /** A p-value as people read them: "p = 0.031", "p < 0.001". */
    static String pValue(double p) {
        return p < 0.001 ? "p < 0.001" : String.format(Locale.ROOT, "p = %.3f", p);
    }

    /** A p-value in a table cell: "0.031", "< 0.001". */
    static String pCell(double p) {
        return p < 0.001 ? "< 0.001" : String.format(Locale.ROOT, "%.3f", p);
    }
}
