package org.smartdeal.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The quartiles the paired runners report for their paired ratios, against hand-computed values. */
class QuantilesTest {

    @Test
    void quantileInterpolatesBetweenOrderStatistics() {
        double[] v = {4, 1, 3, 2};
        // sorted 1 2 3 4; q = 0.25 sits at position 0.75: 1 + 0.75 x (2 - 1)
        assertEquals(1.75, Quantiles.quantile(v, 0.25), 1e-12);
        assertEquals(2.5, Quantiles.quantile(v, 0.5), 1e-12);
        assertEquals(3.25, Quantiles.quantile(v, 0.75), 1e-12);
        assertEquals(1.0, Quantiles.quantile(v, 0), 1e-12);
        assertEquals(4.0, Quantiles.quantile(v, 1), 1e-12);
        assertEquals(7.0, Quantiles.quantile(new double[] {7}, 0.25), 0);
        // the input is not reordered
        assertEquals(4.0, v[0], 0);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(3.0, Quantiles.median(new double[] {5, 3, 1}), 0);
        assertEquals(2.5, Quantiles.median(new double[] {4, 1, 3, 2}), 0);
    }
}
