package org.smartdeal.core;

/**
 * A deliberately naive, obviously-correct transcription of ALGORITHMS.md 1.1 and 1.2 for tests:
 * double[][] matrices, plain loops, a Math.log/Math.pow quantizer and Gauss-Jordan inverses.
 * Valid only for slices whose Q(C)^T Q(C) and B are invertible (random tall slices).
 */
final class NaiveReference {

    /** Result of one slice. */
    record Result(double[][] c, double[][] b, int iterations) {
    }

    private NaiveReference() {
    }

    /** Q of ALGORITHMS.md 1.2 by its definition: e = ceil(log2|c|), lower when at or under the midpoint. */
    static double quantize(double c, double maxCoeff) {
        if (c == 0) {
            return 0;
        }
        double a = Math.abs(c);
        int e = (int) Math.ceil(Math.log(a) / Math.log(2));
        // Correct e for rounding of the logarithm so that 2^(e-1) < a <= 2^e.
        while (Math.pow(2, e - 1) >= a) {
            e--;
        }
        while (Math.pow(2, e) < a) {
            e++;
        }
        double lo = Math.pow(2, e - 1);
        double hi = Math.pow(2, e);
        double qv = (a - lo <= hi - a) ? lo : hi;
        double cap = Math.pow(2, Math.floor(Math.log(maxCoeff) / Math.log(2) + 1e-12));
        qv = Math.min(qv, cap);
        return c < 0 ? -qv : qv;
    }

    static Result decompose(double[][] a, double theta, double tol, int maxIter, double maxCoeff,
            boolean normalize) {
        int m = a.length;
        int n = a[0].length;
        double[][] c = copy(a);
        double[][] b = identity(n);
        double[][] prev = null;
        int iterations = maxIter - 1;
        for (int k = 0; k <= maxIter - 2; k++) {
            double[][] cq = quantizeAll(c, maxCoeff, normalize);
            if (k > 0 && frobeniusDiff(cq, prev) <= tol) {
                iterations = k;
                break;
            }
            prev = cq;
            b = leastSquares(cq, a);
            c = multiply(a, inverse(b));
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    if (Math.abs(c[i][j]) < theta) {
                        c[i][j] = 0;
                    }
                }
            }
        }
        c = quantizeAll(c, maxCoeff, normalize);
        b = leastSquares(c, a);
        return new Result(c, b, iterations);
    }

    static double[][] quantizeAll(double[][] c, double maxCoeff, boolean normalize) {
        int m = c.length;
        int n = c[0].length;
        double[][] x = copy(c);
        if (normalize) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                int count = 0;
                for (int i = 0; i < m; i++) {
                    if (x[i][j] != 0) {
                        double l = Math.log(Math.abs(x[i][j])) / Math.log(2);
                        sum += Math.rint(l) - l;
                        count++;
                    }
                }
                double d = count > 0 ? Math.pow(2, sum / count) : 1;
                for (int i = 0; i < m; i++) {
                    x[i][j] *= d;
                }
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                x[i][j] = quantize(x[i][j], maxCoeff);
            }
        }
        return x;
    }

    /** argmin_B ||A - C B||_F = (C^T C)^-1 C^T A. */
    static double[][] leastSquares(double[][] c, double[][] a) {
        double[][] ct = transpose(c);
        return multiply(inverse(multiply(ct, c)), multiply(ct, a));
    }

    static double[][] inverse(double[][] x) {
        int n = x.length;
        double[][] aug = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x[i], 0, aug[i], 0, n);
            aug[i][n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(aug[r][col]) > Math.abs(aug[piv][col])) {
                    piv = r;
                }
            }
            double[] t = aug[col];
            aug[col] = aug[piv];
            aug[piv] = t;
            double d = aug[col][col];
            if (d == 0) {
                throw new ArithmeticException("singular matrix in the naive reference");
            }
            for (int j = 0; j < 2 * n; j++) {
                aug[col][j] /= d;
            }
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double f = aug[r][col];
                    for (int j = 0; j < 2 * n; j++) {
                        aug[r][j] -= f * aug[col][j];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(aug[i], n, inv[i], 0, n);
        }
        return inv;
    }

    static double[][] multiply(double[][] x, double[][] y) {
        double[][] z = new double[x.length][y[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < y[0].length; j++) {
                double s = 0;
                for (int t = 0; t < y.length; t++) {
                    s += x[i][t] * y[t][j];
                }
                z[i][j] = s;
            }
        }
        return z;
    }

    static double[][] transpose(double[][] x) {
        double[][] t = new double[x[0].length][x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                t[j][i] = x[i][j];
            }
        }
        return t;
    }

    static double[][] identity(int n) {
        double[][] x = new double[n][n];
        for (int i = 0; i < n; i++) {
            x[i][i] = 1;
        }
        return x;
    }

    static double[][] copy(double[][] x) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i].clone();
        }
        return y;
    }

    static double frobeniusDiff(double[][] x, double[][] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                double d = x[i][j] - y[i][j];
                s += d * d;
            }
        }
        return Math.sqrt(s);
    }
}
