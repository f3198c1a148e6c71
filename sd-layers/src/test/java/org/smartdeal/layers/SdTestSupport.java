package org.smartdeal.layers;

import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * Test helpers written independently of the production code: random packed C (values in
 * {0, +-2^p}) with its mask, random B, and a naive loop implementation of the slice layout
 * convention (BRIEF.md / ALGORITHMS.md section 2) for the rebuild and for the chain rule.
 */
final class SdTestSupport {

    private SdTestSupport() {
    }

    /** Packed C [K, m, n] with entries 0 (prob. zeroFraction) or +-2^p, p in [-3, 1]; padding rows 0. */
    static double[] randomC(SdSliceShape s, long seed, double zeroFraction) {
        Random r = new Random(seed);
        int k = (int) s.numSlices();
        int m = (int) s.sliceHeight();
        int n = s.basisWidth();
        int spu = (int) s.slicesPerUnit();
        double[] c = new double[k * m * n];
        for (int slice = 0; slice < k; slice++) {
            for (int i = 0; i < m; i++) {
                boolean real = s.isRealRow(slice % spu, i);
                for (int j = 0; j < n; j++) {
                    double v = 0;
                    if (real && r.nextDouble() >= zeroFraction) {
                        v = (r.nextBoolean() ? 1 : -1) * Math.scalb(1.0, r.nextInt(5) - 3);
                    }
                    c[(slice * m + i) * n + j] = v;
                }
            }
        }
        return c;
    }

    /** Mask M = (C != 0). */
    static double[] maskOf(double[] c) {
        double[] m = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            m[i] = c[i] != 0 ? 1 : 0;
        }
        return m;
    }

    /** Random B [K, n, n], entries uniform in [-0.5, 0.5). */
    static double[] randomB(SdSliceShape s, long seed) {
        Random r = new Random(seed);
        double[] b = new double[(int) s.basisLength()];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextDouble() - 0.5;
        }
        return b;
    }

    /**
     * Naive rebuild: per unit o the weights w_o[t] for t &lt; L, where the padded matrix row
     * (s*m + i) = C[k] @ B[k] row i, k = o*S + s, and w_o[t] = padded[t / n][t % n].
     * Returns [U][L].
     */
    static double[][] rebuildUnits(SdSliceShape s, double[] c, double[] b) {
        int u = (int) s.units();
        int l = (int) s.weightsPerUnit();
        int n = s.basisWidth();
        int m = (int) s.sliceHeight();
        int spu = (int) s.slicesPerUnit();
        double[][] w = new double[u][l];
        for (int o = 0; o < u; o++) {
            for (int t = 0; t < l; t++) {
                int row = t / n;
                int col = t % n;
                int slice = o * spu + row / m;
                int i = row % m;
                double acc = 0;
                for (int j = 0; j < n; j++) {
                    acc += c[(slice * m + i) * n + j] * b[(slice * n + j) * n + col];
                }
                w[o][t] = acc;
            }
        }
        return w;
    }

    /** Dense layout: W[nIn][nOut] with W[i][o] = units[o][i]. */
    static INDArray denseWeight(double[][] units) {
        int nOut = units.length;
        int nIn = units[0].length;
        double[][] w = new double[nIn][nOut];
        for (int o = 0; o < nOut; o++) {
            for (int i = 0; i < nIn; i++) {
                w[i][o] = units[o][i];
            }
        }
        return Nd4j.createFromArray(w);
    }

    /** Conv layout: W[nOut][nIn][kh][kw], unit o's weights in C order. */
    static INDArray convWeight(double[][] units, int nIn, int kh, int kw) {
        int nOut = units.length;
        double[] flat = new double[nOut * nIn * kh * kw];
        for (int o = 0; o < nOut; o++) {
            System.arraycopy(units[o], 0, flat, o * units[o].length, units[o].length);
        }
        return Nd4j.create(flat, new long[] {nOut, nIn, kh, kw}, 'c');
    }

    /** Unit-major dW [U][L] from a dense dW [nIn, nOut]. */
    static double[][] unitsOfDense(INDArray dW) {
        int nIn = (int) dW.size(0);
        int nOut = (int) dW.size(1);
        double[][] u = new double[nOut][nIn];
        for (int o = 0; o < nOut; o++) {
            for (int i = 0; i < nIn; i++) {
                u[o][i] = dW.getDouble(i, o);
            }
        }
        return u;
    }

    /** Unit-major dW [U][L] from a conv dW [nOut, nIn, kh, kw]. */
    static double[][] unitsOfConv(INDArray dW) {
        int nOut = (int) dW.size(0);
        double[] flat = dW.dup('c').data().asDouble();
        int l = flat.length / nOut;
        double[][] u = new double[nOut][l];
        for (int o = 0; o < nOut; o++) {
            System.arraycopy(flat, o * l, u[o], 0, l);
        }
        return u;
    }

    /** Naive straight-through chain rule: dC = M .* (dP @ B^T), dB = C^T @ dP, per slice. */
    static double[][] chain(SdSliceShape s, double[] c, double[] mask, double[] b, double[][] dUnits) {
        int k = (int) s.numSlices();
        int m = (int) s.sliceHeight();
        int n = s.basisWidth();
        int spu = (int) s.slicesPerUnit();
        int l = (int) s.weightsPerUnit();
        double[] dP = new double[k * m * n];
        for (int o = 0; o < s.units(); o++) {
            for (int t = 0; t < l; t++) {
                int row = t / n;
                int slice = o * spu + row / m;
                dP[(slice * m + row % m) * n + t % n] = dUnits[o][t];
            }
        }
        double[] dC = new double[c.length];
        double[] dB = new double[b.length];
        for (int slice = 0; slice < k; slice++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int q = 0; q < n; q++) {
                        acc += dP[(slice * m + i) * n + q] * b[(slice * n + j) * n + q];
                    }
                    dC[(slice * m + i) * n + j] = mask[(slice * m + i) * n + j] * acc;
                }
            }
            for (int j = 0; j < n; j++) {
                for (int q = 0; q < n; q++) {
                    double acc = 0;
                    for (int i = 0; i < m; i++) {
                        acc += c[(slice * m + i) * n + j] * dP[(slice * m + i) * n + q];
                    }
                    dB[(slice * n + j) * n + q] = acc;
                }
            }
        }
        return new double[][] {dC, dB};
    }

    /** Writes C, B, M into a built SD layer's parameter table (the converter's procedure). */
    static void setSdParams(Layer layer, double[] c, double[] b, double[] mask) {
        setParam(layer, SdParamInitializer.C_KEY, c);
        setParam(layer, SdParamInitializer.B_KEY, b);
        setParam(layer, SdParamInitializer.MASK_KEY, mask);
    }

    private static void setParam(Layer layer, String key, double[] values) {
        INDArray p = layer.getParam(key);
        p.assign(Nd4j.create(values, p.shape(), 'c').castTo(p.dataType()));
    }

    /** Values of an array as double[] in C order. */
    static double[] values(INDArray a) {
        return a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
    }
}
