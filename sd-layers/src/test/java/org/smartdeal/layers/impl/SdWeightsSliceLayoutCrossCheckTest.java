package org.smartdeal.layers.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.core.SliceLayout;
import org.smartdeal.layers.SdSliceShape;

/**
 * The ND4J rebuild of {@link SdWeights} equals core's independent {@link SliceLayout#fromSlices}
 * applied to the per-slice products C[k] @ B[k], and both agree on the packed geometry.
 */
class SdWeightsSliceLayoutCrossCheckTest {

    private static void check(SliceLayout layout, SdSliceShape shape, long[] weightShape, long seed) {
        assertEquals(layout.numSlices(), shape.numSlices(), "K");
        assertEquals(layout.rows(), shape.sliceHeight(), "m");
        assertEquals(layout.width(), shape.basisWidth(), "n");
        assertEquals(layout.slicesPerUnit(), shape.slicesPerUnit(), "S");
        assertEquals(layout.packedLength(), shape.coefficientLength(), "K*m*n");
        Random r = new Random(seed);
        int k = (int) shape.numSlices();
        int m = (int) shape.sliceHeight();
        int n = shape.basisWidth();
        double[] c = new double[k * m * n];
        double[] mask = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            if (r.nextDouble() < 0.6) {
                c[i] = (r.nextBoolean() ? 1 : -1) * Math.scalb(1.0, r.nextInt(6) - 4);
                mask[i] = 1;
            }
        }
        double[] b = new double[k * n * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextGaussian();
        }
        double[] products = new double[c.length];
        for (int s = 0; s < k; s++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int q = 0; q < n; q++) {
                        acc += c[(s * m + i) * n + q] * b[(s * n + q) * n + j];
                    }
                    products[(s * m + i) * n + j] = acc;
                }
            }
        }
        double[] expected = new double[layout.weightLength()];
        layout.fromSlices(products, expected);

        for (SdWeights.Kernel kernel : SdWeights.Kernel.values()) {
            SdWeights w = new SdWeights(shape, weightShape, 4e-3, 32, true, kernel);
            INDArray got = w.rebuild(Nd4j.create(c, shape.coefficientShape(), 'c'),
                    Nd4j.create(b, shape.basisShape(), 'c'), Nd4j.create(mask, shape.coefficientShape(), 'c'));
            assertArrayEquals(weightShape, got.shape());
            assertArrayEquals(expected, got.dup('c').castTo(DataType.DOUBLE).data().asDouble(), 1e-12, kernel.name());
        }
    }

    @Test
    void denseWithPaddingAndSeveralSlices() {
        check(SliceLayout.dense(20, 3, 4, 3), new SdSliceShape(3, 20, 3, 4), new long[] {20, 3}, 1);
    }

    @Test
    void conv3x3WithShortLastSlice() {
        check(SliceLayout.conv(4, 5, 3, 3, 6, 3), new SdSliceShape(4, 5 * 9, 3, 6), new long[] {4, 5, 3, 3}, 2);
    }

    @Test
    void conv2x5() {
        check(SliceLayout.conv(3, 2, 2, 5, 192, 3), new SdSliceShape(3, 2 * 10, 5, 192), new long[] {3, 2, 2, 5}, 3);
    }

    @Test
    void conv1x1AndKhBy1Flattened() {
        check(SliceLayout.conv(4, 7, 1, 1, 3, 3), new SdSliceShape(4, 7, 3, 3), new long[] {4, 7, 1, 1}, 4);
        check(SliceLayout.conv(2, 3, 3, 1, 192, 2), new SdSliceShape(2, 9, 2, 192), new long[] {2, 3, 3, 1}, 5);
    }
}
