package org.smartdeal.bench;

import java.util.Arrays;

/** The order statistics the paired runners report. */
final class Quantiles {

    private Quantiles() {
    }

    /** The q-quantile of {@code v} with linear interpolation between order statistics (q in [0, 1]). */
    static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /** The median: the middle value, or the mean of the two middle values. */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
