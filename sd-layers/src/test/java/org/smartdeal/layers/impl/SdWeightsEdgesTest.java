package org.smartdeal.layers.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.core.Pow2Quantizer;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdSliceShape;

/**
 * {@link SdWeights} in every weight layout (dense [nIn, nOut], convolution [nOut, nIn, kh, kw], depthwise
 * [kh, kw, nIn, d]), both kernels and both data types, against a naive double loop of ALGORITHMS.md 2 and 6.1 written
 * from the definitions: unit o's weight t (row t / n of the unit, slice k = o S + row / m, slice row i = row % m) is
 * {@code sum_j Ce[k][i][j] B[k][j][t % n]}, Ce = P(C) .* M; backward {@code dC = M .* (dProd @ B^T)},
 * {@code dB = Ce^T @ dProd} with dProd the unit's dW zero-padded, dM = 0. Also the constructor's shape checks and
 * the kernel property.
 */
class SdWeightsEdgesTest {
    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    /** W[u][t] of the naive definition (unit-major). */
    static double[][] naiveW(SdSliceShape s, double[] ce, double[] b) {
        int n = s.basisWidth(), m = (int) s.sliceHeight(), spu = (int) s.slicesPerUnit(), l = (int) s.weightsPerUnit();
        double[][] w = new double[(int) s.units()][l];
        for (int o = 0; o < s.units(); o++) {
            for (int t = 0; t < l; t++) {
                int row = t / n, k = o * spu + row / m, i = row % m;
                for (int j = 0; j < n; j++) {
                    w[o][t] += ce[(k * m + i) * n + j] * b[(k * n + j) * n + t % n];
                }
            }
        }
        return w;
    }

    /** dProd[k][i][q] of a unit-major dW: the unit's weight gradient in rows of n, zero past its L weights. */
    static double dProd(SdSliceShape s, double[][] dw, int k, int i, int q) {
        int n = s.basisWidth(), m = (int) s.sliceHeight(), spu = (int) s.slicesPerUnit();
        int o = k / spu, t = ((k % spu) * m + i) * n + q;
        return t < s.weightsPerUnit() ? dw[o][t] : 0;
    }

    /** Puts unit-major values into an array of the layout's W shape. */
    static void fill(INDArray target, SdLayer.WeightOrder order, double[][] units) {
        int u = units.length, l = units[0].length;
        INDArray um = Nd4j.create(units).castTo(target.dataType());
        INDArray v = switch (order) {
            case UNITS_AS_COLUMNS -> um.transpose();
            case UNITS_FIRST -> um.reshape('c', target.shape());
            case UNITS_LAST -> um.transpose().dup('c').reshape('c', target.shape());
        };
        target.assign(v);
    }

    /** Reads an array of the layout's W shape as unit-major values. */
    static double[][] units(INDArray w, SdLayer.WeightOrder order, int u, int l) {
        INDArray d = w.castTo(DataType.DOUBLE);
        return switch (order) {
            case UNITS_AS_COLUMNS -> d.transpose().toDoubleMatrix();
            case UNITS_FIRST -> d.dup('c').reshape('c', u, l).toDoubleMatrix();
            case UNITS_LAST -> d.dup('c').reshape('c', l, u).transpose().toDoubleMatrix();
        };
    }

    @ParameterizedTest
    @CsvSource({
        // layout, kernel, dtype, units, weightShape (x-separated), n, sliceRows
        "UNITS_AS_COLUMNS, JAVA, DOUBLE, 3, 11x3, 2, 4",
        "UNITS_AS_COLUMNS, JAVA, FLOAT, 3, 11x3, 4, 4",
        "UNITS_AS_COLUMNS, ND4J, FLOAT, 3, 11x3, 2, 2",
        "UNITS_FIRST, JAVA, DOUBLE, 4, 4x5x3x3, 3, 6",
        "UNITS_FIRST, JAVA, FLOAT, 4, 4x5x3x3, 3, 6",
        "UNITS_FIRST, ND4J, DOUBLE, 4, 4x5x3x3, 3, 6",
        "UNITS_FIRST, JAVA, DOUBLE, 3, 3x2x2x5, 5, 192",
        "UNITS_FIRST, JAVA, FLOAT, 3, 3x2x2x5, 4, 8",
        "UNITS_LAST, JAVA, DOUBLE, 6, 3x3x3x2, 3, 3",
        "UNITS_LAST, JAVA, FLOAT, 6, 3x3x3x2, 2, 4",
        "UNITS_LAST, ND4J, DOUBLE, 6, 3x3x3x2, 3, 3",
        "UNITS_LAST, ND4J, FLOAT, 6, 3x3x3x2, 2, 2"})
    void everyLayoutKernelAndTypeMatchesTheNaiveDefinition(SdLayer.WeightOrder order, SdWeights.Kernel kernel,
            DataType dt, int units, String shape, int n, int sliceRows) {
        String[] dims = shape.split("x");
        long[] ws = new long[dims.length];
        long all = 1;
        for (int i = 0; i < dims.length; i++) {
            ws[i] = Long.parseLong(dims[i]);
            all *= ws[i];
        }
        int l = (int) (all / units);
        SdSliceShape s = new SdSliceShape(units, l, n, sliceRows);
        Random r = new Random(units * 131L + l * 7L + n);
        int len = (int) s.coefficientLength();
        double[] c = new double[len];
        double[] mask = new double[len];
        double[] ce = new double[len];
        for (int i = 0; i < len; i++) {
            c[i] = (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(3)) * Math.scalb(1.0, r.nextInt(5) - 3); // 1, 2 or 3 x 2^p
            mask[i] = r.nextDouble() < 0.7 ? 1 : 0;
            // P by hand: 3 x 2^p is the tie 1.5 x 2^(p+1), which goes up to 2^(p+2); then M
            double mag = Math.abs(c[i]);
            double p = mag / Math.scalb(1.0, Math.getExponent(mag)) == 1.5 ? 2 * Math.scalb(1.0, Math.getExponent(mag))
                    : mag;
            ce[i] = mask[i] * Math.signum(c[i]) * p;
        }
        double[] b = new double[(int) s.basisLength()];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextInt(17) - 8; // small integers: every sum is exact in float and double
        }
        double[][] dw = new double[units][l];
        for (double[] row : dw) {
            for (int t = 0; t < l; t++) {
                row[t] = r.nextInt(9) - 4;
            }
        }
        SdWeights w = new SdWeights(s, ws, order, 4e-3, 32, true, kernel);
        INDArray cArr = Nd4j.create(c, s.coefficientShape(), 'c').castTo(dt);
        INDArray bArr = Nd4j.create(b, s.basisShape(), 'c').castTo(dt);
        INDArray mArr = Nd4j.create(mask, s.coefficientShape(), 'c').castTo(dt);
        INDArray weight = w.rebuild(cArr, bArr, mArr);
        assertEquals(dt, weight.dataType());
        assertEquals(java.util.Arrays.toString(ws), java.util.Arrays.toString(weight.shape()));
        double[][] want = naiveW(s, ce, b);
        double[][] got = units(weight, order, units, l);
        for (int o = 0; o < units; o++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(want[o], got[o], 0, "unit " + o);
        }
        double[] gotCe = w.effectiveC().castTo(DataType.DOUBLE).data().asDouble();
        org.junit.jupiter.api.Assertions.assertArrayEquals(ce, gotCe, 0, "Ce");

        INDArray dW = w.createWeightGradient(NO_WS, ArrayType.BP_WORKING_MEM, dt);
        fill(dW, order, dw);
        INDArray gC = Nd4j.create(dt, s.coefficientShape());
        INDArray gB = Nd4j.create(dt, s.basisShape());
        INDArray gM = Nd4j.ones(dt, s.coefficientShape());
        w.backward(dW, bArr, mArr, gC, gB, gM, NO_WS, ArrayType.BP_WORKING_MEM);
        int m = (int) s.sliceHeight();
        double[] gc = gC.castTo(DataType.DOUBLE).data().asDouble();
        double[] gb = gB.castTo(DataType.DOUBLE).data().asDouble();
        for (int k = 0; k < s.numSlices(); k++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int q = 0; q < n; q++) {
                        acc += dProd(s, dw, k, i, q) * b[(k * n + j) * n + q];
                    }
                    assertEquals(mask[(k * m + i) * n + j] * acc, gc[(k * m + i) * n + j], 0, "dC " + k + "," + i + "," + j);
                }
            }
            for (int j = 0; j < n; j++) {
                for (int q = 0; q < n; q++) {
                    double acc = 0;
                    for (int i = 0; i < m; i++) {
                        acc += ce[(k * m + i) * n + j] * dProd(s, dw, k, i, q);
                    }
                    assertEquals(acc, gb[(k * n + j) * n + q], 0, "dB " + k + "," + j + "," + q);
                }
            }
        }
        assertEquals(0.0, gM.sumNumber().doubleValue(), "dM");
    }

    @ParameterizedTest
    @CsvSource({"JAVA", "ND4J"})
    void aDoubleCoefficientExactlyAtTheThresholdIsKept(SdWeights.Kernel kernel) {
        // ALGORITHMS.md 6.1: P zeroes |c| < theta - 1e-5 only; at exactly theta - 1e-5 (as the quantizer computes it)
        // c is kept and rounded to its nearest power of two, as Pow2Quantizer does; one ulp below it is zeroed
        Pow2Quantizer q = Pow2Quantizer.trainingProjection(4e-3, 32);
        double at = q.zeroBelow();
        double want = q.quantize(at);
        assertTrue(want > 0, "P(" + at + ") = " + want);
        SdSliceShape s = new SdSliceShape(1, 3, 3, 3);
        INDArray b = Nd4j.create(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, s.basisShape(), 'c'); // W = Ce
        INDArray mask = Nd4j.ones(DataType.DOUBLE, s.coefficientShape());
        SdWeights w = new SdWeights(s, new long[] {3, 1}, 4e-3, 32, true, kernel);
        INDArray out = w.rebuild(Nd4j.create(new double[] {at, -at, Math.nextDown(at)}, s.coefficientShape(), 'c'), b, mask);
        assertEquals(want, out.getDouble(0, 0));
        assertEquals(-want, out.getDouble(1, 0));
        assertEquals(0.0, out.getDouble(2, 0));
    }

    @Test
    void gradientArraysThatAreViewsGetTheSameGradients() {
        // FLOAT parameters rebuilt by the Java kernel, gradients into 'f'-order arrays (not flat C order): the
        // generic path computes the same dC and dB as the flat one
        SdSliceShape s = new SdSliceShape(3, 11, 3, 3);
        Random r = new Random(3);
        INDArray c = Nd4j.create(DataType.FLOAT, s.coefficientShape());
        INDArray mask = Nd4j.create(DataType.FLOAT, s.coefficientShape());
        for (long i = 0; i < c.length(); i++) {
            c.putScalar(i, Math.scalb(1.0, r.nextInt(4) - 2) * (r.nextBoolean() ? 1 : -1));
            mask.putScalar(i, r.nextInt(4) == 0 ? 0 : 1);
        }
        INDArray b = Nd4j.rand(DataType.FLOAT, s.basisShape());
        SdWeights flat = new SdWeights(s, new long[] {11, 3}, 4e-3, 32, true, SdWeights.Kernel.JAVA);
        SdWeights view = new SdWeights(s, new long[] {11, 3}, 4e-3, 32, true, SdWeights.Kernel.JAVA);
        assertEquals(flat.rebuild(c, b, mask), view.rebuild(c, b, mask));
        INDArray dW = flat.createWeightGradient(NO_WS, ArrayType.BP_WORKING_MEM, DataType.FLOAT).assign(
                Nd4j.rand(DataType.FLOAT, 11, 3));
        INDArray gC = Nd4j.create(DataType.FLOAT, s.coefficientShape());
        INDArray gB = Nd4j.create(DataType.FLOAT, s.basisShape());
        flat.backward(dW, b, mask, gC, gB, Nd4j.create(DataType.FLOAT, s.coefficientShape()), NO_WS,
                ArrayType.BP_WORKING_MEM);
        INDArray gCf = Nd4j.create(DataType.FLOAT, s.coefficientShape(), 'f');
        INDArray gBf = Nd4j.create(DataType.FLOAT, s.basisShape(), 'f');
        INDArray gM = Nd4j.ones(DataType.FLOAT, s.coefficientShape());
        view.backward(dW, b, mask, gCf, gBf, gM, NO_WS, ArrayType.BP_WORKING_MEM);
        assertTrue(gC.equalsWithEps(gCf, 1e-5), gC + " vs " + gCf);
        assertTrue(gB.equalsWithEps(gBf, 1e-5), gB + " vs " + gBf);
        assertEquals(0.0, gM.sumNumber().doubleValue());
    }

    @Test
    void theConstructorRefusesAWeightShapeThatDoesNotHoldTheUnits() {
        SdSliceShape s = new SdSliceShape(4, 9, 3, 3);
        assertEquals("SdWeights: units as columns need a rank-2 weight, got shape [4, 1, 3, 3]",
                assertThrows(IllegalArgumentException.class, () -> new SdWeights(s, new long[] {4, 1, 3, 3},
                        SdLayer.WeightOrder.UNITS_AS_COLUMNS, 4e-3, 32, true, SdWeights.Kernel.JAVA)).getMessage());
        assertEquals("SdWeights: a depthwise weight [kh, kw, nIn, d] with kh*kw = 9 weights per unit was expected, got "
                + "shape [9, 4]", assertThrows(IllegalArgumentException.class, () -> new SdWeights(s, new long[] {9, 4},
                        SdLayer.WeightOrder.UNITS_LAST, 4e-3, 32, true, SdWeights.Kernel.JAVA)).getMessage());
        assertEquals("SdWeights: a depthwise weight [kh, kw, nIn, d] with kh*kw = 9 weights per unit was expected, got "
                + "shape [3, 2, 3, 2]", assertThrows(IllegalArgumentException.class, () -> new SdWeights(s,
                        new long[] {3, 2, 3, 2}, SdLayer.WeightOrder.UNITS_LAST, 4e-3, 32, true, SdWeights.Kernel.JAVA))
                .getMessage());
        assertEquals("SdWeights: weight shape [9, 5] does not hold units*weightsPerUnit = 4*9",
                assertThrows(IllegalArgumentException.class, () -> new SdWeights(s, new long[] {9, 5}, 4e-3, 32, true))
                        .getMessage());
        assertEquals("SdWeights: weight shape [4, 1, 3, 2] does not hold units*weightsPerUnit = 4*9",
                assertThrows(IllegalArgumentException.class, () -> new SdWeights(s, new long[] {4, 1, 3, 2}, 4e-3, 32,
                        true)).getMessage());
        // accepted: [9, 4] dense, [4, 1, 3, 3] convolution, [3, 3, 2, 2] depthwise
        assertEquals(9, new SdWeights(s, new long[] {9, 4}, 4e-3, 32, true).weightShape()[0]);
        assertEquals(4, new SdWeights(s, new long[] {4, 1, 3, 3}, 4e-3, 32, true).weightShape()[0]);
        assertEquals(2, new SdWeights(s, new long[] {3, 3, 2, 2}, SdLayer.WeightOrder.UNITS_LAST, 4e-3, 32, true,
                SdWeights.Kernel.JAVA).weightShape()[3]);
    }

    @Test
    void theKernelPropertyChoosesNd4jOnlyWhenAskedFor() {
        SdSliceShape s = new SdSliceShape(1, 3, 3, 3);
        String before = System.getProperty("smartdeal.sd.kernel");
        try {
            System.setProperty("smartdeal.sd.kernel", "ND4J");
            assertEquals(SdWeights.Kernel.ND4J, SdWeights.Kernel.auto(s));
            System.setProperty("smartdeal.sd.kernel", "nd4j");
            assertEquals(SdWeights.Kernel.ND4J, SdWeights.Kernel.auto(s));
            System.setProperty("smartdeal.sd.kernel", "java");
            assertEquals(SdWeights.Kernel.JAVA, SdWeights.Kernel.auto(s));
            System.clearProperty("smartdeal.sd.kernel");
            assertEquals(SdWeights.Kernel.JAVA, SdWeights.Kernel.auto(s));
        } finally {
            if (before == null) {
                System.clearProperty("smartdeal.sd.kernel");
            } else {
                System.setProperty("smartdeal.sd.kernel", before);
            }
        }
    }
}
