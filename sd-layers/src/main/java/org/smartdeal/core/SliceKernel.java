package org.smartdeal.core;

/**
 * Per-thread worker that decomposes one slice at a time (Chen et al., arXiv 2101.01163,
 * Algorithm 1; ALGORITHMS.md 1.1). Holds all scratch memory, so the iteration allocates nothing.
 * Not thread-safe: one instance per thread.
 *
 * <p>Each pass over the rows fuses: the dense refit c = a * pinv(B), the threshold, the quantizer
 * (IEEE bit rounding, ties down), the early-stop difference against the previous Q(C), and the
 * accumulation of the normal equations G = Q(C)^T Q(C), R = Q(C)^T A. The width n = 3 has an
 * unrolled pass; the generic pass computes exactly the same sums in the same order.
 */
final class SliceKernel {

    private static final long SIGN = 0x8000_0000_0000_0000L;
    private static final long EXP = 0x7FF0_0000_0000_0000L;
    private static final long ROUND_DOWN_ADD = (1L << 51) - 1;
    private static final double LN2 = Math.log(2.0);
    /** Relative eigenvalue cut-off of the pseudo-inverse. */
    static final double EIGEN_CUTOFF = 1e-13;
    private static final int MAX_SWEEPS = 60;

    private final int m;
    private final int n;
    private final int maxIter;
    private final double tol;
    private final boolean normalize;
    /** Quantizer zero bound for the first pass (window floor / float32 floor), as bits. */
    private final long lowBits0;
    /** Zero bound for refit passes: max(theta, window floor, float32 floor), as bits. */
    private final long lowBitsRefit;
    private final double theta;
    private final long capBits;

    final double[] a;
    private final double[] buf;
    private final double[] p;
    private final double[] g;
    private final double[] r;
    private final double[] bCur;
    private final double[] v;
    private final double[] w;
    private final double[] h;
    private final double[] colMean;
    private final int[] colCount;

    SliceKernel(DecompositionConfig cfg, int m, int n) {
        this.m = m;
        this.n = n;
        this.maxIter = cfg.maxIter();
        this.tol = cfg.tol();
        this.normalize = cfg.normalizeColumns();
        this.theta = cfg.theta();
        int pMin = -149;
        double cap = Pow2Quantizer.floorPowerOfTwo(cfg.maxCoeff());
        if (cfg.window() != null) {
            pMin = Math.max(pMin, cfg.window().pMin());
            cap = Math.min(cap, Pow2Quantizer.powerOfTwo(Math.max(cfg.window().pMax(), -149)));
        }
        double floor = Pow2Quantizer.powerOfTwo(pMin);
        this.capBits = Double.doubleToRawLongBits(cap);
        this.lowBits0 = Double.doubleToRawLongBits(floor);
        this.lowBitsRefit = Double.doubleToRawLongBits(Math.max(floor, theta));
        this.a = new double[m * n];
        this.buf = normalize || n != 3 ? new double[m * n] : null;
        this.p = new double[n * n];
        this.g = new double[n * n];
        this.r = new double[n * n];
        this.bCur = new double[n * n];
        this.v = new double[n * n];
        this.w = new double[n];
        this.h = new double[n * n];
        this.colMean = new double[n];
        this.colCount = new int[n];
    }

    /**
     * Quantizes c with zero bound {@code low} (bits of a positive double): 0 when |c| &lt; low,
     * otherwise the nearest power of two (ties down) clamped to the cap. Branch-free.
     */
    private double q(double c, long low) {
        long bits = Double.doubleToRawLongBits(c);
        long mag = bits & ~SIGN;
        long rounded = Math.min((mag + ROUND_DOWN_ADD) & EXP, capBits);
        long keep = (low - 1 - mag) >> 63;
        return Double.longBitsToDouble(((bits & SIGN) | rounded) & keep);
    }

    /**
     * Decomposes the slice held in {@link #a} (first realRows rows; call sites fill it).
     *
     * @param realRows rows of the slice that may be non-zero (rows beyond are padding)
     * @param c packed C, modified only in [cOff, cOff + realRows*n); that range must be 0 on entry
     * @param b packed B, modified in [bOff, bOff + n*n)
     * @return refits done (iterations)
     */
    int decompose(int realRows, float[] c, int cOff, double[] b, int bOff) {
        identity(p);
        pass(realRows, c, cOff, false);
        solveB();
        int it = 0;
        for (int k = 1; k < maxIter; k++) {
            pinvB();
            double diff = pass(realRows, c, cOff, true);
            solveB();
            it = k;
            if (k <= maxIter - 2 && Math.sqrt(diff) <= tol) {
                break;
            }
        }
        System.arraycopy(bCur, 0, b, bOff, n * n);
        return it;
    }

    private void identity(double[] x) {
        java.util.Arrays.fill(x, 0.0);
        for (int i = 0; i < n; i++) {
            x[i * n + i] = 1.0;
        }
    }

    private double pass(int rows, float[] c, int cOff, boolean refit) {
        if (n == 3 && !normalize) {
            return pass3(rows, c, cOff, refit ? lowBitsRefit : lowBits0);
        }
        return passGeneric(rows, c, cOff, refit);
    }

    /** Unrolled pass for n = 3: same operations and order as {@link #passGeneric}. */
    private double pass3(int rows, float[] c, int cOff, long low) {
        final double[] a = this.a;
        final double p00 = p[0], p01 = p[1], p02 = p[2];
        final double p10 = p[3], p11 = p[4], p12 = p[5];
        final double p20 = p[6], p21 = p[7], p22 = p[8];
        double g00 = 0, g01 = 0, g02 = 0, g11 = 0, g12 = 0, g22 = 0;
        double r00 = 0, r01 = 0, r02 = 0, r10 = 0, r11 = 0, r12 = 0, r20 = 0, r21 = 0, r22 = 0;
        double diff = 0;
        final int end = rows * 3;
        for (int i = 0; i < end; i += 3) {
            final double a0 = a[i], a1 = a[i + 1], a2 = a[i + 2];
            final double q0 = q(a0 * p00 + a1 * p10 + a2 * p20, low);
            final double q1 = q(a0 * p01 + a1 * p11 + a2 * p21, low);
            final double q2 = q(a0 * p02 + a1 * p12 + a2 * p22, low);
            final int ci = cOff + i;
            final double d0 = q0 - c[ci], d1 = q1 - c[ci + 1], d2 = q2 - c[ci + 2];
            diff += d0 * d0;
            diff += d1 * d1;
            diff += d2 * d2;
            c[ci] = (float) q0;
            c[ci + 1] = (float) q1;
            c[ci + 2] = (float) q2;
            g00 += q0 * q0;
            g01 += q0 * q1;
            g02 += q0 * q2;
            g11 += q1 * q1;
            g12 += q1 * q2;
            g22 += q2 * q2;
            r00 += q0 * a0;
            r01 += q0 * a1;
            r02 += q0 * a2;
            r10 += q1 * a0;
            r11 += q1 * a1;
            r12 += q1 * a2;
            r20 += q2 * a0;
            r21 += q2 * a1;
            r22 += q2 * a2;
        }
        g[0] = g00;
        g[1] = g01;
        g[2] = g02;
        g[3] = g01;
        g[4] = g11;
        g[5] = g12;
        g[6] = g02;
        g[7] = g12;
        g[8] = g22;
        r[0] = r00;
        r[1] = r01;
        r[2] = r02;
        r[3] = r10;
        r[4] = r11;
        r[5] = r12;
        r[6] = r20;
        r[7] = r21;
        r[8] = r22;
        return diff;
    }

    /** Generic pass for any n, with optional column normalisation. */
    private double passGeneric(int rows, float[] c, int cOff, boolean refit) {
        final int n = this.n;
        final int end = rows * n;
        // Dense refit (or C = A in the first pass) and threshold.
        for (int i = 0; i < end; i += n) {
            for (int col = 0; col < n; col++) {
                double s;
                if (refit) {
                    s = a[i] * p[col];
                    for (int t = 1; t < n; t++) {
                        s += a[i + t] * p[t * n + col];
                    }
                    if (Math.abs(s) < theta) {
                        s = 0.0;
                    }
                } else {
                    s = a[i + col];
                }
                buf[i + col] = s;
            }
        }
        if (normalize) {
            normalizeColumns(end);
        }
        java.util.Arrays.fill(g, 0.0);
        java.util.Arrays.fill(r, 0.0);
        double diff = 0;
        for (int i = 0; i < end; i += n) {
            for (int col = 0; col < n; col++) {
                double qv = q(buf[i + col], lowBits0);
                double d = qv - c[cOff + i + col];
                diff += d * d;
                c[cOff + i + col] = (float) qv;
                buf[i + col] = qv;
            }
            for (int x = 0; x < n; x++) {
                double qx = buf[i + x];
                for (int y = x; y < n; y++) {
                    g[x * n + y] += qx * buf[i + y];
                }
                for (int y = 0; y < n; y++) {
                    r[x * n + y] += qx * a[i + y];
                }
            }
        }
        for (int x = 0; x < n; x++) {
            for (int y = 0; y < x; y++) {
                g[x * n + y] = g[y * n + x];
            }
        }
        return diff;
    }

    /** Scales column j of buf by 2^mean(rint(log2|c|) - log2|c|) over its non-zeros. */
    private void normalizeColumns(int end) {
        java.util.Arrays.fill(colMean, 0.0);
        java.util.Arrays.fill(colCount, 0);
        for (int i = 0; i < end; i += n) {
            for (int col = 0; col < n; col++) {
                double x = buf[i + col];
                if (x != 0.0) {
                    double l2 = Math.log(Math.abs(x)) / LN2;
                    colMean[col] += Math.rint(l2) - l2;
                    colCount[col]++;
                }
            }
        }
        for (int col = 0; col < n; col++) {
            colMean[col] = colCount[col] > 0 ? Math.pow(2.0, colMean[col] / colCount[col]) : 1.0;
        }
        for (int i = 0; i < end; i += n) {
            for (int col = 0; col < n; col++) {
                buf[i + col] *= colMean[col];
            }
        }
    }

    /** bCur = pinv(G) R. */
    private void solveB() {
        pinvSymmetric(g, h);
        for (int x = 0; x < n; x++) {
            for (int y = 0; y < n; y++) {
                double s = 0;
                for (int t = 0; t < n; t++) {
                    s += h[x * n + t] * r[t * n + y];
                }
                bCur[x * n + y] = s;
            }
        }
    }

    /** p = pinv(bCur) = pinv(bCur^T bCur) bCur^T. */
    private void pinvB() {
        for (int x = 0; x < n; x++) {
            for (int y = 0; y < n; y++) {
                double s = 0;
                for (int t = 0; t < n; t++) {
                    s += bCur[t * n + x] * bCur[t * n + y];
                }
                g[x * n + y] = s;
            }
        }
        pinvSymmetric(g, h);
        for (int x = 0; x < n; x++) {
            for (int y = 0; y < n; y++) {
                double s = 0;
                for (int t = 0; t < n; t++) {
                    s += h[x * n + t] * bCur[y * n + t];
                }
                p[x * n + y] = s;
            }
        }
    }

    /**
     * Pseudo-inverse of a symmetric positive semi-definite n x n matrix via cyclic Jacobi
     * eigen-decomposition; eigenvalues at or below 1e-13 of the largest are dropped.
     *
     * @param s the matrix, destroyed (used as the Jacobi work array)
     * @param out the pseudo-inverse, modified
     */
    void pinvSymmetric(double[] s, double[] out) {
        if (n == 3 && inverse3(s, out)) {
            return;
        }
        jacobi(s);
        double max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, w[i]);
        }
        double cut = max * EIGEN_CUTOFF;
        java.util.Arrays.fill(out, 0.0);
        for (int e = 0; e < n; e++) {
            double lambda = w[e];
            if (!(lambda > cut) || max <= 0) {
                continue;
            }
            double inv = 1.0 / lambda;
            for (int x = 0; x < n; x++) {
                double vx = v[x * n + e] * inv;
                for (int y = 0; y < n; y++) {
                    out[x * n + y] += vx * v[y * n + e];
                }
            }
        }
    }

    /**
     * Fast path for a well-conditioned symmetric positive semi-definite 3x3 matrix: its inverse by
     * cofactors. For such a matrix lambda_min &gt;= det / lambda_max^2 and lambda_max &lt;= trace,
     * so det &gt; 1e-10 * trace^3 guarantees lambda_min / lambda_max &gt; 1e-10, far above the
     * 1e-13 cut-off: then pinv = inverse and no eigenvalue would be dropped.
     *
     * @return false (out untouched) when the guarantee does not hold; use the eigen path then
     */
    private static boolean inverse3(double[] s, double[] out) {
        double a = s[0], b = s[1], c = s[2], d = s[4], e = s[5], f = s[8];
        double trace = a + d + f;
        if (!(trace > 0)) {
            return false;
        }
        double c11 = d * f - e * e;
        double c12 = c * e - b * f;
        double c13 = b * e - c * d;
        double det = a * c11 + b * c12 + c * c13;
        if (!(det > 1e-10 * trace * trace * trace)) {
            return false;
        }
        double inv = 1.0 / det;
        double c22 = a * f - c * c;
        double c23 = b * c - a * e;
        double c33 = a * d - b * b;
        out[0] = c11 * inv;
        out[1] = c12 * inv;
        out[2] = c13 * inv;
        out[3] = c12 * inv;
        out[4] = c22 * inv;
        out[5] = c23 * inv;
        out[6] = c13 * inv;
        out[7] = c23 * inv;
        out[8] = c33 * inv;
        return true;
    }

    /** Eigen-decomposition of symmetric s (destroyed): eigenvalues in w, eigenvectors in v's columns. */
    private void jacobi(double[] s) {
        identity(v);
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            double diag = 0;
            for (int x = 0; x < n; x++) {
                diag += s[x * n + x] * s[x * n + x];
                for (int y = x + 1; y < n; y++) {
                    off += s[x * n + y] * s[x * n + y];
                }
            }
            if (off <= 1e-32 * diag || off == 0) {
                break;
            }
            for (int pp = 0; pp < n - 1; pp++) {
                for (int qq = pp + 1; qq < n; qq++) {
                    double apq = s[pp * n + qq];
                    if (apq == 0) {
                        continue;
                    }
                    double app = s[pp * n + pp];
                    double aqq = s[qq * n + qq];
                    double tau = (aqq - app) / (2 * apq);
                    double t = (tau >= 0 ? 1.0 : -1.0) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
                    double cs = 1 / Math.sqrt(1 + t * t);
                    double sn = t * cs;
                    // s <- J^T s J with J the rotation in plane (pp, qq).
                    for (int k = 0; k < n; k++) {
                        double skp = s[k * n + pp];
                        double skq = s[k * n + qq];
                        s[k * n + pp] = cs * skp - sn * skq;
                        s[k * n + qq] = sn * skp + cs * skq;
                    }
                    for (int k = 0; k < n; k++) {
                        double spk = s[pp * n + k];
                        double sqk = s[qq * n + k];
                        s[pp * n + k] = cs * spk - sn * sqk;
                        s[qq * n + k] = sn * spk + cs * sqk;
                    }
                    s[pp * n + qq] = 0;
                    s[qq * n + pp] = 0;
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k * n + pp];
                        double vkq = v[k * n + qq];
                        v[k * n + pp] = cs * vkp - sn * vkq;
                        v[k * n + qq] = sn * vkp + cs * vkq;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            w[i] = s[i * n + i];
        }
    }
}
