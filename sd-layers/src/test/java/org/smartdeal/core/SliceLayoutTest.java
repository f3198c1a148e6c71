package org.smartdeal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** Asserts that {@code call} throws IllegalArgumentException with exactly {@code message}. */
    private static void assertRefused(String message, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertEquals(message, e.getMessage());
    }

    @Test
    void everyShapeArgumentIsCheckedNamingFieldRangeAndValue() {
        assertRefused("SliceLayout.conv.nOut must be in [1, 2147483647], got 0", () -> SliceLayout.conv(0, 2, 3, 3));
        assertRefused("SliceLayout.conv.nIn must be in [1, 2147483647], got 0", () -> SliceLayout.conv(2, 0, 3, 3));
        assertRefused("SliceLayout.conv.kh must be in [1, 2147483647], got 0", () -> SliceLayout.conv(2, 2, 0, 3));
        assertRefused("SliceLayout.conv.kw must be in [1, 64], got 65", () -> SliceLayout.conv(2, 2, 3, 65));
        assertRefused("SliceLayout.conv.sliceRows must be in [4, 1048576], got 3",
                () -> SliceLayout.conv(2, 2, 1, 1, 3, 4));
        assertRefused("SliceLayout.dense.nOut must be in [1, 2147483647], got 0", () -> SliceLayout.dense(4, 0));
        assertRefused("SliceLayout.dense.basisWidth must be in [1, 64], got 0", () -> SliceLayout.dense(4, 2, 8, 0));
        assertRefused("SliceLayout.dense.sliceRows must be in [3, 1048576], got 2", () -> SliceLayout.dense(4, 2, 2, 3));
        assertRefused("SliceLayout.depthwise.kh must be in [1, 2147483647], got 0",
                () -> SliceLayout.depthwise(0, 3, 4, 1));
        assertRefused("SliceLayout.depthwise.kw must be in [1, 64], got 0", () -> SliceLayout.depthwise(3, 0, 4, 1));
        assertRefused("SliceLayout.depthwise.nIn must be in [1, 2147483647], got 0",
                () -> SliceLayout.depthwise(3, 3, 0, 1));
        assertRefused("SliceLayout.depthwise.depthMultiplier must be in [1, 2147483647], got 0",
                () -> SliceLayout.depthwise(3, 3, 4, 0));
        assertRefused("SliceLayout.depthwise.sliceRows must be in [3, 1048576], got 2",
                () -> SliceLayout.depthwise(3, 3, 4, 1, 2));
        assertRefused("SliceLayout.rawSlices.K must be in [1, 2147483647], got 0", () -> SliceLayout.rawSlices(0, 4, 3));
        assertRefused("SliceLayout.rawSlices.m must be in [1, 2147483647], got 0", () -> SliceLayout.rawSlices(2, 0, 3));
        assertRefused("SliceLayout.rawSlices.n must be in [1, 64], got 65", () -> SliceLayout.rawSlices(2, 4, 65));
        // Each range includes both of its ends: kw = sliceRows = 64 = MAX_WIDTH, sliceRows = 2^20 = MAX_SLICE_ROWS.
        assertEquals(64, SliceLayout.conv(1, 1, 1, 64, 64, 64).width());
        assertEquals(1, SliceLayout.conv(1, 1, 1, 1, 1, 1).width());
        assertEquals(3, SliceLayout.conv(1, 1, 1, 1, SliceLayout.MAX_SLICE_ROWS, 3).width());
        assertEquals(1, SliceLayout.rawSlices(1, 1, 1).numSlices());
    }

    @Test
    void sizeLimitsAreExactAndNameTheSize() {
        // Weights and packed arrays must hold at most Integer.MAX_VALUE - 16 = 2147483631 = 3*137*263*19867 entries.
        // Layouts allocate nothing, so these huge shapes cost nothing.
        assertEquals(2147483631, SliceLayout.rawSlices(2147483631, 1, 1).packedLength(), "the largest size is accepted");
        assertEquals(2147483631, SliceLayout.rawSlices(19867, 137 * 263, 3).packedLength());
        assertRefused("SliceLayout.rawSlices: weight size 2147483632 of shape [536870908, 2, 2] must be <= 2147483631",
                () -> SliceLayout.rawSlices(536870908, 2, 2));
        assertRefused("SliceLayout.conv: weight size 2147483648 of shape [2, 1073741824, 1, 1] must be <= 2147483631",
                () -> SliceLayout.conv(2, 1 << 30, 1, 1));
        assertRefused("SliceLayout.dense: weight size 2147483648 of shape [65536, 32768] must be <= 2147483631",
                () -> SliceLayout.dense(65536, 32768));
        assertRefused("SliceLayout.depthwise: weight size 2147483648 of shape [2, 2, 536870912, 1] must be <= 2147483631",
                () -> SliceLayout.depthwise(2, 2, 1 << 29, 1));
        // Padding can push the packed array over the limit although the weight fits: dense [4, 4e8] with rows of 3
        // packs 4 weights per unit into R = m = 2 rows of 3, 6 entries: K*m*n = 4e8*2*3 = 2.4e9.
        assertRefused("SliceLayout.dense: packed size K*m*n = 400000000*2*3 = 2400000000 must be <= 2147483631"
                + " (weight shape [4, 400000000])", () -> SliceLayout.dense(4, 400_000_000));
    }

    @Test
    void indexHelpersAndSliceBoundsFollowTheLayout() {
        // conv [2, 3, 3, 3]: unit o = filter o, 27 contiguous weights: weightIndex(o, e) = 27 o + e.
        SliceLayout conv = SliceLayout.conv(2, 3, 3, 3);
        assertEquals(27, conv.unitStride());
        assertEquals(1, conv.elementStride());
        assertEquals(31, conv.weightIndex(1, 4));
        // dense [nIn 4, nOut 5]: unit o = column o: weightIndex(o, e) = o + 5 e.
        SliceLayout dense = SliceLayout.dense(4, 5);
        assertEquals(1, dense.unitStride());
        assertEquals(5, dense.elementStride());
        assertEquals(17, dense.weightIndex(2, 3));
        // depthwise [3, 3, nIn 2, dm 3]: unit u = ci*3 + dm, entry e = y*3 + x at weight[e * 6 + u].
        SliceLayout dw = SliceLayout.depthwise(3, 3, 2, 3);
        assertEquals(6, dw.elementStride());
        assertEquals(4 * 6 + 5, dw.weightIndex(5, 4));
        // realEntries checks k like realRows: k in [0, K - 1].
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> conv.realEntries(2));
        assertEquals("SliceLayout slice index k must be in [0, 1], got 2", e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> conv.realEntries(-1));
        assertEquals("SliceLayout slice index k must be in [0, 1], got -1", e.getMessage());
        assertEquals("CONV [2, 3, 3, 3] U=2 S=1 m=9 n=3", conv.describe());
        assertEquals("SliceLayout[DENSE [4, 5] U=5 S=1 m=2 n=3]", dense.toString());
    }

    @Test
    void everyPackAndUnpackChecksBothLengthsAndWritesThePadding() {
        // dense [4, 2]: units of 4 weights in R = m = 2 rows of 3, so entries 4 and 5 of each unit are padding.
        SliceLayout l = SliceLayout.dense(4, 2);
        String msg = "SliceLayout(DENSE [4, 2] U=2 S=1 m=2 n=3): weight length 7 must be 8 (shape [4, 2]) and packed "
                + "length 12 must be 12 ([K=2, m=2, n=3])";
        assertRefused(msg, () -> l.toSlices(new float[7], new double[12]));
        assertRefused(msg, () -> l.toSlices(new double[7], new double[12]));
        assertRefused(msg, () -> l.toSlices(new float[7], new float[12]));
        assertRefused(msg, () -> l.fromSlices(new double[12], new float[7]));
        assertRefused(msg, () -> l.fromSlices(new double[12], new double[7]));
        assertRefused(msg, () -> l.fromSlices(new float[12], new float[7]));
        double[] w = {1, 2, 3, 4, 5, 6, 7, 8}; // [nIn 4][nOut 2]: column 0 = 1, 3, 5, 7; column 1 = 2, 4, 6, 8
        double[] packed = new double[12];
        java.util.Arrays.fill(packed, 9);
        l.toSlices(w, packed);
        assertArrayEquals(new double[] {1, 3, 5, 7, 0, 0, 2, 4, 6, 8, 0, 0}, packed, "double -> double");
        float[] fw = {1, 2, 3, 4, 5, 6, 7, 8};
        float[] fpacked = new float[12];
        java.util.Arrays.fill(fpacked, 9);
        l.toSlices(fw, fpacked);
        assertArrayEquals(new float[] {1, 3, 5, 7, 0, 0, 2, 4, 6, 8, 0, 0}, fpacked, "float -> float");
    }

    @Test
    void layoutsAreEqualWhenKindShapeAndSlicingAreEqual() {
        SliceLayout a = SliceLayout.conv(8, 4, 3, 3);
        assertEquals(a, SliceLayout.conv(8, 4, 3, 3, 192, 5), "basisWidth is unused for kw > 1");
        assertEquals(a.hashCode(), SliceLayout.conv(8, 4, 3, 3, 192, 5).hashCode());
        assertTrue(a.equals(a));
        assertFalse(a.equals(null));
        assertFalse(a.equals("CONV"));
        assertFalse(a.equals(SliceLayout.conv(8, 4, 3, 3, 6, 3)), "other sliceRows: m = 6, S = 2");
        assertFalse(a.equals(SliceLayout.conv(8, 4, 3, 3, 9, 3)), "other sliceRows: m = 9, S = 2");
        assertFalse(a.equals(SliceLayout.conv(8, 2, 6, 3)), "other shape, same U, R and n");
        assertFalse(SliceLayout.rawSlices(8, 12, 3).equals(SliceLayout.conv(8, 4, 3, 3)), "other kind, same slicing");
        assertFalse(SliceLayout.dense(6, 4, 192, 3).equals(SliceLayout.dense(6, 4, 192, 2)), "other width");
    }
}
