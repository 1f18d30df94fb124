package dev.tally.testkit;

import java.util.SplittableRandom;

/**
 * Draws ranks {@code 1..n} with probability proportional to {@code 1 / k^exponent} in constant time and memory,
 * by rejection-inversion (W. Hörmann, G. Derflinger, "Rejection-inversion to generate variates from monotone
 * discrete distributions", ACM TOMACS 6(3), 1996) — the method Apache Commons RNG and Math use. Written out here
 * (forty lines) rather than adding a statistics library to every testkit user's classpath. Immutable; the
 * caller's random source carries the state.
 */
final class ZipfSampler {
    private final int n;
    private final double exponent;
    private final double hIntegralX1;
    private final double hIntegralN;
    private final double s;

    ZipfSampler(int n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("a Zipf distribution needs at least one element, got " + n);
        }
        if (!(exponent > 0) || Double.isInfinite(exponent)) {
            throw new IllegalArgumentException("the Zipf exponent must be a positive number, got " + exponent);
        }
        this.n = n;
        this.exponent = exponent;
        this.hIntegralX1 = hIntegral(1.5) - 1;
        this.hIntegralN = hIntegral(n + 0.5);
        this.s = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
    }

    /** A rank in {@code [1, n]}; rank 1 is the most frequent. */
    int sample(SplittableRandom random) {
        while (true) {
            double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
            double x = hIntegralInverse(u);
            int k = (int) Math.max(1, Math.min(n, (long) (x + 0.5)));
            if (k - x <= s || u >= hIntegral(k + 0.5) - h(k)) {
                return k;
            }
        }
    }

    /** {@code H(x)}, an integral of {@code h}, written to stay accurate when the exponent is near 1. */
    private double hIntegral(double x) {
        double logX = Math.log(x);
        return helper2((1 - exponent) * logX) * logX;
    }

    private double h(double x) {
        return Math.exp(-exponent * Math.log(x));
    }

    private double hIntegralInverse(double x) {
        double t = Math.max(-1, x * (1 - exponent));
        return Math.exp(helper1(t) * x);
    }

    /** {@code log(1 + x) / x}, with its series near 0. */
    private static double helper1(double x) {
        return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - x * 0.25));
    }

    /** {@code (exp(x) - 1) / x}, with its series near 0. */
    private static double helper2(double x) {
        return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + x * 0.25));
    }
}
