package org.smartdeal.layers.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.core.Pow2Quantizer;
import org.smartdeal.layers.SdSliceShape;

/**
 * The FLOAT Java kernel ({@link SdFloatKernel}, reached through {@link SdWeights} with FLOAT
 * parameters) against the double kernel and the bit-exact quantizer of ALGORITHMS.md 6.1.
 */
class SdFloatKernelTest {

    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    /**
     * With C already projected (powers of two) every product is exact in double, and both kernels
     * sum in the same order, so the float results are exactly the double results rounded to float.
     * Shapes: padding of the last slice, several slices per unit, widths 3 (the unrolled path) and
     * 2 and 5 (the generic path), and a layer above the two-thread threshold (units split in halves).
     */
    @ParameterizedTest
    @CsvSource({"7, 11, 3, 3", "40, 1000, 3, 192", "13, 50, 2, 8", "9, 23, 5, 4", "64, 600, 3, 192"})
    void floatKernelEqualsDoubleKernelRoundedToFloat(int units, int perUnit, int n, int sliceRows) {
        SdSliceShape s = new SdSliceShape(units, perUnit, n, sliceRows);
        Random r = new Random(units * 31L + perUnit);
        int len = (int) s.coefficientLength();
        double[] c = new double[len];
        double[] mask = new double[len];
        for (int i = 0; i < len; i++) {
            if (r.nextDouble() < 0.6) {
                mask[i] = 1;
                // off-grid values: the projection must do real work (and zero a few below theta)
                c[i] = (r.nextBoolean() ? 1 : -1) * Math.scalb(1.0 + r.nextDouble(), r.nextInt(12) - 9);
            } else if (r.nextBoolean()) {
                c[i] = 0.75; // masked out but non-zero: must not leak into W
            }
        }
        double[] b = new double[(int) s.basisLength()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        long[] ws = {perUnit, units};
        INDArray cd = Nd4j.create(c, s.coefficientShape(), 'c');
        INDArray md = Nd4j.create(mask, s.coefficientShape(), 'c');
        INDArray bd = Nd4j.create(b, s.basisShape(), 'c');
        SdWeights dbl = new SdWeights(s, ws, 4e-3, 32, true, SdWeights.Kernel.JAVA);
        SdWeights flt = new SdWeights(s, ws, 4e-3, 32, true, SdWeights.Kernel.JAVA);
        INDArray cf = cd.castTo(DataType.FLOAT);
        INDArray cf0 = cf.dup();
        INDArray wd = dbl.rebuild(cd, bd, md);
        INDArray wf = flt.rebuild(cf, bd.castTo(DataType.FLOAT), md.castTo(DataType.FLOAT));
        assertEquals(DataType.FLOAT, wf.dataType());
        assertArrayEquals(wd.castTo(DataType.FLOAT).dup('c').data().asFloat(), wf.dup('c').data().asFloat());
        assertEquals(cf0, cf, "rebuild must not modify C");
        assertArrayEquals(dbl.effectiveC().castTo(DataType.FLOAT).data().asFloat(), flt.effectiveC().data().asFloat());

        double[] dw = new double[(int) (s.units() * s.weightsPerUnit())];
        for (int i = 0; i < dw.length; i++) {
            dw[i] = (float) r.nextGaussian();
        }
        INDArray dWd = dbl.createWeightGradient(NO_WS, ArrayType.BP_WORKING_MEM, DataType.DOUBLE);
        dWd.assign(Nd4j.create(dw, new long[] {units, perUnit}, 'c').transpose());
        INDArray dWf = flt.createWeightGradient(NO_WS, ArrayType.BP_WORKING_MEM, DataType.FLOAT);
        dWf.assign(dWd);
        INDArray gCd = Nd4j.create(DataType.DOUBLE, s.coefficientShape());
        INDArray gBd = Nd4j.create(DataType.DOUBLE, s.basisShape());
        INDArray gMd = Nd4j.create(DataType.DOUBLE, s.coefficientShape());
        INDArray gCf = Nd4j.create(DataType.FLOAT, s.coefficientShape());
        INDArray gBf = Nd4j.create(DataType.FLOAT, s.basisShape());
        INDArray gMf = Nd4j.ones(DataType.FLOAT, s.coefficientShape());
        dbl.backward(dWd, bd, md, gCd, gBd, gMd, NO_WS, ArrayType.BP_WORKING_MEM);
        flt.backward(dWf, bd.castTo(DataType.FLOAT), md.castTo(DataType.FLOAT), gCf, gBf, gMf, NO_WS,
                ArrayType.BP_WORKING_MEM);
        // dC sums three products of floats in double: exact, so equal after rounding.
        assertArrayEquals(gCd.castTo(DataType.FLOAT).data().asFloat(), gCf.data().asFloat());
        assertArrayEquals(gBd.castTo(DataType.FLOAT).data().asFloat(), gBf.data().asFloat());
        assertEquals(0.0, gMf.sumNumber().doubleValue(), "dM must be 0");
        float[] gc = gCf.data().asFloat();
        for (int i = 0; i < len; i++) {
            if (mask[i] == 0) {
                assertEquals(0f, gc[i], "dC at masked-out entry " + i);
            }
        }
    }

    /**
     * P on the float bits equals the double quantizer for edge values: ties (1.5 * 2^p goes up),
     * the threshold theta - 1e-5, the clamp to maxCoeff, zeros, infinities, NaN, subnormals, with
     * the branch-free path (theta = 4e-3) and the scalar path (theta = 0 keeps subnormals).
     */
    @ParameterizedTest
    @ValueSource(doubles = {4e-3, 0.0})
    void floatProjectionIsBitIdenticalToTheQuantizer(double theta) {
        float[] v = {0f, -0f, 0.75f, -0.75f, 0.7499999f, 1.5f, 3f, -6f, 0.003995f, 0.00398f, -0.00399f,
            (float) (4e-3 - 1e-5), Math.nextDown((float) (4e-3 - 1e-5)), 40f, -24f, 31.9f, 1e30f, Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -3e-39f, 1.2e-38f,
            Float.MIN_NORMAL, 0.1f, -0.2f, 0.3f, 1f, 2f, 12f};
        int k = v.length;
        SdSliceShape s = new SdSliceShape(k, 3, 3, 1);
        float[] c = new float[3 * k];
        float[] mask = new float[3 * k];
        float[] b = new float[9 * k];
        for (int o = 0; o < k; o++) {
            c[3 * o] = v[o];
            c[3 * o + 1] = v[o];
            mask[3 * o] = 1f;
            mask[3 * o + 1] = 0f; // same value masked out
            for (int j = 0; j < 3; j++) {
                b[9 * o + 4 * j] = 1f; // identity basis: W = Ce
            }
        }
        SdWeights w = new SdWeights(s, new long[] {3, k}, theta, 32, true, SdWeights.Kernel.JAVA);
        INDArray out = w.rebuild(Nd4j.create(c, s.coefficientShape(), 'c'), Nd4j.create(b, s.basisShape(), 'c'),
                Nd4j.create(mask, s.coefficientShape(), 'c'));
        float[] ce = w.effectiveC().data().asFloat();
        Pow2Quantizer p = Pow2Quantizer.trainingProjection(theta, 32);
        for (int o = 0; o < k; o++) {
            float expected = (float) p.quantize((double) v[o]);
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(ce[3 * o]), "P(" + v[o] + ")");
            assertEquals(0, Float.floatToRawIntBits(ce[3 * o + 1]), "masked-out " + v[o]);
            if (!Float.isNaN(expected)) {
                assertEquals(expected, out.getFloat(0, o), "W for " + v[o]);
            }
        }
        assertTrue(Float.isNaN(ce[3 * 20]), "NaN stays NaN");
    }
}
