package org.smartdeal.layers.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.layers.SdSliceShape;

/** SdWeights on small hand-checkable cases and against a naive loop of the slice convention. */
class SdWeightsTest {

    @Test
    void projectionFollowsAlgorithms61ByHand() {
        double theta = 4e-3;
        // nearest power of two in the linear domain, ties up; |c| < theta - 1e-5 -> 0; at least 2^-7, the smallest
        // power of two not below theta - 1e-5 (2^-8 would be zeroed by P applied again); clamp 32
        double[][] cases = {{0.0, 0.0}, {0.74, 0.5}, {0.75, 1.0}, {0.76, 1.0}, {-0.3, -0.25}, {-0.375, -0.5},
                {3e-3, 0.0}, {0.003995, 0.0078125}, {0.00398, 0.0}, {0.0078125, 0.0078125}, {1.0, 1.0}, {-2.0, -2.0}, {40.0, 32.0}, {-24.0, -32.0},
                {5.9, 4.0}, {6.0, 8.0}};
        for (double[] c : cases) {
            assertEquals(c[1], SdWeights.project(c[0], theta, 32.0), "P(" + c[0] + ")");
            assertEquals((float) c[1], SdWeights.project((float) c[0], (float) theta, 32f), "float P(" + c[0] + ")");
        }
        assertTrue(Double.isNaN(SdWeights.project(Double.NaN, theta, 32.0)));
    }

    /** Naive W for a dense layout: unit o (column o of [nIn, nOut]) padded row-major into rows of n. */
    private static double[][] naiveDense(SdSliceShape s, double[] c, double[] b) {
        int n = s.basisWidth();
        int m = (int) s.sliceHeight();
        int spu = (int) s.slicesPerUnit();
        double[][] w = new double[(int) s.weightsPerUnit()][(int) s.units()];
        for (int o = 0; o < s.units(); o++) {
            for (int t = 0; t < s.weightsPerUnit(); t++) {
                int row = t / n;
                int k = o * spu + row / m;
                int i = row % m;
                double acc = 0;
                for (int j = 0; j < n; j++) {
                    acc += c[(k * m + i) * n + j] * b[(k * n + j) * n + t % n];
                }
                w[t][o] = acc;
            }
        }
        return w;
    }

    @ParameterizedTest
    @EnumSource(SdWeights.Kernel.class)
    void handCheckedTwoUnitDenseRebuild(SdWeights.Kernel kernel) {
        // nIn=4, nOut=2, n=2, sliceRows=2: R=2, S=1, m=2, K=2. C[k] = I, B[k] = [[1,2],[3,4]] * (k+1).
        SdSliceShape s = new SdSliceShape(2, 4, 2, 2);
        INDArray c = Nd4j.create(new double[] {1, 0, 0, 1, 1, 0, 0, 1}, new long[] {2, 2, 2}, 'c');
        INDArray b = Nd4j.create(new double[] {1, 2, 3, 4, 2, 4, 6, 8}, new long[] {2, 2, 2}, 'c');
        INDArray m = Nd4j.ones(DataType.DOUBLE, 2, 2, 2);
        SdWeights w = new SdWeights(s, new long[] {4, 2}, 4e-3, 32, true, kernel);
        INDArray weight = w.rebuild(c, b, m);
        // unit 0 weights = B[0] flattened = 1,2,3,4 (column 0); unit 1 = 2,4,6,8 (column 1).
        assertArrayEquals(new double[][] {{1, 2}, {2, 4}, {3, 6}, {4, 8}}, weight.toDoubleMatrix());
    }

    @ParameterizedTest
    @EnumSource(SdWeights.Kernel.class)
    void rebuildAndBackwardMatchNaiveLoopsWithPaddingAndMaskWithoutModifyingInputs(SdWeights.Kernel kernel) {
        // nIn=11, n=3: R=4, sliceRows=3: S=2, m=3, last slice has 1 real row and 2 padding rows.
        SdSliceShape s = new SdSliceShape(4, 11, 3, 3);
        Random r = new Random(5);
        double[] c = new double[(int) s.coefficientLength()];
        double[] mask = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            if (r.nextDouble() < 0.7) {
                c[i] = (r.nextBoolean() ? 1 : -1) * Math.scalb(1.0, r.nextInt(4) - 2);
                mask[i] = 1;
            }
        }
        double[] b = new double[(int) s.basisLength()];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextGaussian();
        }
        INDArray cArr = Nd4j.create(c, s.coefficientShape(), 'c');
        INDArray bArr = Nd4j.create(b, s.basisShape(), 'c');
        INDArray mArr = Nd4j.create(mask, s.coefficientShape(), 'c');
        INDArray c0 = cArr.dup();
        INDArray b0 = bArr.dup();
        SdWeights w = new SdWeights(s, new long[] {11, 4}, 4e-3, 32, true, kernel);
        INDArray weight = w.rebuild(cArr, bArr, mArr);
        double[][] expected = naiveDense(s, c, b);
        double[][] got = weight.toDoubleMatrix();
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], got[i], 1e-12, "row " + i);
        }
        assertEquals(c0, cArr);
        assertEquals(b0, bArr);

        // Backward: dW = all ones -> dProd has ones on the 11 real entries of each unit, 0 on padding.
        INDArray dW = Nd4j.create(DataType.DOUBLE, new long[] {11, 4}, 'f').assign(1.0);
        INDArray gC = Nd4j.create(DataType.DOUBLE, s.coefficientShape());
        INDArray gB = Nd4j.create(DataType.DOUBLE, s.basisShape());
        INDArray gM = Nd4j.ones(DataType.DOUBLE, s.coefficientShape());
        w.backward(dW, bArr, mArr, gC, gB, gM, LayerWorkspaceMgr.noWorkspaces(), ArrayType.BP_WORKING_MEM);
        int n = 3;
        int m = 3;
        for (int k = 0; k < s.numSlices(); k++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int q = 0; q < n; q++) {
                        int t = ((k % 2) * m + i) * n + q;
                        acc += (t < 11 ? 1.0 : 0.0) * b[(k * n + j) * n + q];
                    }
                    assertEquals(mask[(k * m + i) * n + j] * acc, gC.getDouble(k, i, j), 1e-12);
                }
            }
            for (int j = 0; j < n; j++) {
                for (int q = 0; q < n; q++) {
                    double acc = 0;
                    for (int i = 0; i < m; i++) {
                        int t = ((k % 2) * m + i) * n + q;
                        acc += c[(k * m + i) * n + j] * (t < 11 ? 1.0 : 0.0);
                    }
                    assertEquals(acc, gB.getDouble(k, j, q), 1e-12);
                }
            }
        }
        assertEquals(0.0, gM.sumNumber().doubleValue());
    }

    @ParameterizedTest
    @EnumSource(SdWeights.Kernel.class)
    void floatRebuildProjectsAndMasks(SdWeights.Kernel kernel) {
        SdSliceShape s = new SdSliceShape(1, 3, 3, 3);
        INDArray c = Nd4j.create(new float[] {0.7f, 0.001f, 3f}, new long[] {1, 1, 3}, 'c');
        INDArray m = Nd4j.create(new float[] {1f, 1f, 0f}, new long[] {1, 1, 3}, 'c');
        INDArray b = Nd4j.eye(3).castTo(DataType.FLOAT).reshape(1, 3, 3);
        INDArray w = new SdWeights(s, new long[] {3, 1}, 4e-3, 32, true, kernel).rebuild(c, b, m);
        // P(0.7) = 0.5, P(0.001) = 0 (below theta), 3 masked out.
        assertArrayEquals(new float[] {0.5f, 0f, 0f}, w.dup().data().asFloat());
    }
}
