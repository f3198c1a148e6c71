package org.smartdeal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The slice layout convention (ALGORITHMS.md section 2) checked against explicit index formulas. */
class SliceLayoutTest {

    private static float[] randomWeight(int len, long seed) {
        Random rnd = new Random(seed);
        float[] w = new float[len];
        for (int i = 0; i < len; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        return w;
    }

    /** Packs, checks padding is zero and unpacking restores the weight bit for bit. */
    private static double[] roundTrip(SliceLayout l) {
        float[] w = randomWeight(l.weightLength(), 11);
        float[] wCopy = w.clone();
        double[] packed = new double[l.packedLength()];
        java.util.Arrays.fill(packed, Double.NaN);
        l.toSlices(w, packed);
        assertArrayEquals(wCopy, w, "input not modified");
        float[] back = new float[w.length];
        l.fromSlices(packed, back);
        assertArrayEquals(w, back);
        double[] dw = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            dw[i] = w[i];
        }
        double[] packed2 = new double[l.packedLength()];
        l.toSlices(dw, packed2);
        assertArrayEquals(packed, packed2);
        double[] dback = new double[w.length];
        l.fromSlices(packed2, dback);
        assertArrayEquals(dw, dback);
        float[] fpacked = new float[l.packedLength()];
        l.toSlices(w, fpacked);
        float[] fback = new float[w.length];
        l.fromSlices(fpacked, fback);
        assertArrayEquals(w, fback);
        // Padding: entries of a unit beyond its length are exactly 0.
        int pu = l.packedUnitLength();
        for (int o = 0; o < l.units(); o++) {
            for (int e = l.unitLength(); e < pu; e++) {
                assertEquals(0.0, packed[o * pu + e]);
            }
        }
        int realTotal = 0;
        for (int k = 0; k < l.numSlices(); k++) {
            realTotal += l.realEntries(k);
        }
        assertEquals(l.weightLength(), realTotal);
        return packed;
    }

    @Test
    void conv3x3ShapeAndRowOrderFollowTheConvention() {
        // 2 filters, 5 input channels, 3x3, sliceRows 6: R = 15, m = 6, S = 3 (6, 6, 3 real rows).
        SliceLayout l = SliceLayout.conv(2, 5, 3, 3, 6, 3);
        assertEquals(SliceLayout.Kind.CONV, l.kind());
        assertEquals(15, l.unitRows());
        assertEquals(6, l.rows());
        assertEquals(3, l.width());
        assertEquals(3, l.slicesPerUnit());
        assertEquals(6, l.numSlices());
        assertEquals(6, l.realRows(0));
        assertEquals(3, l.realRows(2));
        assertEquals(9, l.realEntries(5));
        assertArrayEquals(new int[] {2, 5, 3, 3}, l.weightShape());
        double[] packed = roundTrip(l);
        float[] w = randomWeight(l.weightLength(), 11);
        // W[o=1, ci=3, y=2, x=1]: row r = ci*kh + y = 11 -> slice s = 1, row j = 5; k = 1*3+1 = 4.
        int wIdx = ((1 * 5 + 3) * 3 + 2) * 3 + 1;
        assertEquals(w[wIdx], packed[(4 * 6 + 5) * 3 + 1]);
    }

    @Test
    void kernels5x5And1x3AndRowsNotMultipleOfSliceRows() {
        SliceLayout l55 = SliceLayout.conv(3, 7, 5, 5, 10, 3);
        assertEquals(5, l55.width());
        assertEquals(35, l55.unitRows());
        assertEquals(4, l55.slicesPerUnit());
        assertEquals(5, l55.realRows(3));
        roundTrip(l55);
        SliceLayout l13 = SliceLayout.conv(4, 5, 1, 3, 192, 3);
        assertEquals(SliceLayout.Kind.CONV, l13.kind());
        assertEquals(3, l13.width());
        assertEquals(5, l13.rows());
        assertEquals(1, l13.slicesPerUnit());
        roundTrip(l13);
        roundTrip(SliceLayout.conv(64, 3, 3, 3));
        roundTrip(SliceLayout.conv(5, 130, 3, 3));
    }

    @Test
    void conv1x1PadsNInToRowsOfBasisWidth() {
        // nIn = 8 (not a multiple of 3): R = 3, the last row holds 2 weights and 1 padding zero.
        SliceLayout l = SliceLayout.conv(4, 8, 1, 1, 192, 3);
        assertEquals(SliceLayout.Kind.CONV_FLAT, l.kind());
        assertEquals(3, l.unitRows());
        assertEquals(3, l.rows());
        assertEquals(8, l.realEntries(0));
        double[] packed = roundTrip(l);
        float[] w = randomWeight(l.weightLength(), 11);
        // W[o=2, ci=7] is entry 7 of unit 2: row 2, column 1 of slice 2.
        assertEquals(w[2 * 8 + 7], packed[(2 * 3 + 2) * 3 + 1]);
        // 1x1 with many slices and a basis width of 4.
        SliceLayout l2 = SliceLayout.conv(3, 1001, 1, 1, 100, 4);
        assertEquals(251, l2.unitRows());
        assertEquals(3, l2.slicesPerUnit());
        assertEquals(51, l2.realRows(2));
        assertEquals(1001 - 2 * 400, l2.realEntries(2));
        roundTrip(l2);
        // kh x 1 uses the flat rule over the kh*nIn weights of a filter.
        SliceLayout l31 = SliceLayout.conv(2, 5, 3, 1, 192, 3);
        assertEquals(SliceLayout.Kind.CONV_FLAT, l31.kind());
        assertEquals(15, l31.unitLength());
        roundTrip(l31);
    }

    @Test
    void denseUnitIsAColumnOfTheNInByNOutWeight() {
        // R = ceil(10/3) = 4 rows, m = 3, S = 2; the second slice has 1 real row (1 real entry).
        SliceLayout l = SliceLayout.dense(10, 4, 3, 3);
        assertEquals(4, l.units());
        assertEquals(4, l.unitRows());
        assertEquals(2, l.slicesPerUnit());
        assertEquals(1, l.realRows(1));
        assertEquals(1, l.realEntries(1));
        assertArrayEquals(new int[] {10, 4}, l.weightShape());
        double[] packed = roundTrip(l);
        float[] w = randomWeight(l.weightLength(), 11);
        // W[i=7, o=3] = w[7*4+3] is entry 7 of unit 3: row 2, column 1 of slice k = 3*2+0.
        assertEquals(w[7 * 4 + 3], packed[((3 * 2 + 0) * 3 + 2) * 3 + 1]);
        // W[i=9, o=1] is entry 9: row 3 = slice s = 1, row 0, column 0; k = 1*2+1.
        assertEquals(w[9 * 4 + 1], packed[((1 * 2 + 1) * 3 + 0) * 3 + 0]);
        roundTrip(SliceLayout.dense(2048, 1000));
    }

    @Test
    void depthwiseFollowsDl4jKhKwNInDepthMultiplier() {
        SliceLayout l = SliceLayout.depthwise(3, 3, 5, 2, 192);
        assertEquals(10, l.units());
        assertEquals(3, l.rows());
        assertEquals(1, l.slicesPerUnit());
        double[] packed = roundTrip(l);
        float[] w = randomWeight(l.weightLength(), 11);
        // W[y=2, x=0, ci=4, dm=1] belongs to unit u = 4*2+1 = 9, row 2, column 0.
        assertEquals(w[((2 * 3 + 0) * 5 + 4) * 2 + 1], packed[(9 * 3 + 2) * 3 + 0]);
        SliceLayout l53 = SliceLayout.depthwise(5, 3, 3, 1, 3);
        assertEquals(2, l53.slicesPerUnit());
        assertEquals(2, l53.realRows(1));
        roundTrip(l53);
    }

    @Test
    void rawSlicesAreTheIdentity() {
        SliceLayout l = SliceLayout.rawSlices(4, 5, 3);
        double[] packed = roundTrip(l);
        float[] w = randomWeight(l.weightLength(), 11);
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], packed[i]);
        }
    }

    @Test
    void invalidArgumentsNameFieldRangeAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SliceLayout.conv(8, 4, 3, 3, 0, 3));
        assertEquals("SliceLayout.conv.sliceRows must be in [3, 1048576], got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SliceLayout.dense(0, 4));
        assertTrue(e.getMessage().contains("nIn") && e.getMessage().endsWith("got 0"));
        e = assertThrows(IllegalArgumentException.class, () -> SliceLayout.conv(1, 1, 1, 1, 192, 99));
        assertTrue(e.getMessage().contains("basisWidth must be in [1, 64], got 99"));
        SliceLayout l = SliceLayout.conv(2, 2, 3, 3);
        e = assertThrows(IllegalArgumentException.class,
                () -> l.toSlices(new float[5], new double[l.packedLength()]));
        assertTrue(e.getMessage().contains("weight length 5 must be 36"));
        assertThrows(IndexOutOfBoundsException.class, () -> l.realRows(2));
    }
}
