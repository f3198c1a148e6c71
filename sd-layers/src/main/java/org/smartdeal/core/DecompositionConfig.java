package org.smartdeal.core;

import java.util.Optional;

/**
 * Settings of the SmartDeal decomposition (Chen et al., arXiv 2101.01163, Algorithm 1;
 * ALGORITHMS.md 1.1). Validated on construction.
 *
 * @param theta absolute sparsity threshold applied after each dense refit of C, finite, &gt;= 0
 *     (default 4e-3)
 * @param tol early stop when ||Q(C) - Q(C)_prev||_F &lt;= tol, finite, &gt;= 0 (default 1e-10)
 * @param maxIter iteration budget as in Algorithm 1, in [1, 10000] (default 30): at most
 *     maxIter - 1 refits of C
 * @param maxCoeff bound on |C|, in [2^-149, 2^127] (C is stored as float32); the effective cap
 *     is the largest power of two &lt;= maxCoeff (default 32)
 * @param window optional exponent window [pMin, pMax] for C, may be null for none; pMin below
 *     -149 acts as -149 because C is stored as float32; 2^pMin must be at most maxCoeff
 * @param normalizeColumns scale each column of C by 2^mean(round(log2|c|) - log2|c|) over its
 *     non-zeros before quantizing (the paper's normalisation; off by default, as in the reference)
 * @param threads worker threads, in [1, 1024] (default: available processors); results do not
 *     depend on it
 */
public record DecompositionConfig(double theta, double tol, int maxIter, double maxCoeff,
        ExponentWindow window, boolean normalizeColumns, int threads) {

    /** Default theta. */
    public static final double DEFAULT_THETA = 4e-3;
    /** Default tolerance of the early stop. */
    public static final double DEFAULT_TOL = 1e-10;
    /** Default iteration budget. */
    public static final int DEFAULT_MAX_ITER = 30;
    /** Default bound on |C|. */
    public static final double DEFAULT_MAX_COEFF = 32;
    /** Largest accepted maxCoeff (float32 range of C). */
    public static final double MAX_MAX_COEFF = 0x1p127;
    /** Smallest accepted maxCoeff (smallest float32 power of two). */
    public static final double MIN_MAX_COEFF = 0x1p-149;

    /** Validates every field; errors name the field, the allowed range and the value. */
    public DecompositionConfig {
        if (!(theta >= 0) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException(
                    "DecompositionConfig.theta must be finite and >= 0, got " + theta);
        }
        if (!(tol >= 0) || Double.isInfinite(tol)) {
            throw new IllegalArgumentException(
                    "DecompositionConfig.tol must be finite and >= 0, got " + tol);
        }
        if (maxIter < 1 || maxIter > 10000) {
            throw new IllegalArgumentException(
                    "DecompositionConfig.maxIter must be in [1, 10000], got " + maxIter);
        }
        if (!(maxCoeff >= MIN_MAX_COEFF && maxCoeff <= MAX_MAX_COEFF)) {
            throw new IllegalArgumentException(
                    "DecompositionConfig.maxCoeff must be in [2^-149, 2^127], got " + maxCoeff);
        }
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException(
                    "DecompositionConfig.threads must be in [1, 1024], got " + threads);
        }
        Pow2Quantizer.requireWindowBelowCap("DecompositionConfig", maxCoeff, window);
    }

    /** The defaults: theta 4e-3, tol 1e-10, maxIter 30, maxCoeff 32, no window, no column
     * normalisation, threads = available processors. */
    public static DecompositionConfig defaults() {
        return new DecompositionConfig(DEFAULT_THETA, DEFAULT_TOL, DEFAULT_MAX_ITER,
                DEFAULT_MAX_COEFF, null, false, Runtime.getRuntime().availableProcessors());
    }

    /** A copy with another theta. */
    public DecompositionConfig withTheta(double v) {
        return new DecompositionConfig(v, tol, maxIter, maxCoeff, window, normalizeColumns, threads);
    }

    /** A copy with another tol. */
    public DecompositionConfig withTol(double v) {
        return new DecompositionConfig(theta, v, maxIter, maxCoeff, window, normalizeColumns, threads);
    }

    /** A copy with another maxIter. */
    public DecompositionConfig withMaxIter(int v) {
        return new DecompositionConfig(theta, tol, v, maxCoeff, window, normalizeColumns, threads);
    }

    /** A copy with another maxCoeff. */
    public DecompositionConfig withMaxCoeff(double v) {
        return new DecompositionConfig(theta, tol, maxIter, v, window, normalizeColumns, threads);
    }

    /** A copy with another exponent window (null for none). */
    public DecompositionConfig withWindow(ExponentWindow v) {
        return new DecompositionConfig(theta, tol, maxIter, maxCoeff, v, normalizeColumns, threads);
    }

    /** A copy with column normalisation switched on or off. */
    public DecompositionConfig withNormalizeColumns(boolean v) {
        return new DecompositionConfig(theta, tol, maxIter, maxCoeff, window, v, threads);
    }

    /** A copy with another thread count. */
    public DecompositionConfig withThreads(int v) {
        return new DecompositionConfig(theta, tol, maxIter, maxCoeff, window, normalizeColumns, v);
    }

    /** The exponent window, if any. */
    public Optional<ExponentWindow> exponentWindow() {
        return Optional.ofNullable(window);
    }

    /** The quantizer Q used by the decomposition: ties down, maxCoeff, window. */
    public Pow2Quantizer quantizer() {
        return Pow2Quantizer.decomposition(maxCoeff, window);
    }
}
