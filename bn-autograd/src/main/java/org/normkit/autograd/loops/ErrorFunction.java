package org.normkit.autograd.loops;

/**
 * erf(x) to about 1e-14: the Maclaurin series for |x| &lt; 3 (at most ~4 digits lost to cancellation there), and the
 * continued fraction of erfc (Abramowitz &amp; Stegun 7.1.14, evaluated with the modified Lentz method) beyond.
 */
public final class ErrorFunction {
    private ErrorFunction() {}

    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax < 3.0) {
            double term = x;
            double sum = x;
            double x2 = x * x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return 2.0 / Math.sqrt(Math.PI) * sum;
        }
        double erfc = erfcContinuedFraction(ax);
        return x > 0 ? 1.0 - erfc : erfc - 1.0;
    }

    /** erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), x ≥ 3. */
    private static double erfcContinuedFraction(double x) {
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int k = 1; k < 500; k++) {
            double a = k / 2.0;
            d = x + a * d;
            d = d == 0 ? tiny : d;
            c = x + a / c;
            c = c == 0 ? tiny : c;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) {
                break;
            }
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
