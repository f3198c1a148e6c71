package org.smartdeal.zoo.convert;

import java.util.Locale;
import org.smartdeal.zoo.text.Numbers;

/**
 * The conversion settings of one layer, fully resolved (defaults merged with the layer's
 * overrides). Validated on construction; errors name the layer, the field, the range and the
 * value.
 *
 * @param layer layer name the settings apply to ({@code "defaults"} for the plan's defaults)
 * @param theta absolute sparsity threshold of the decomposition (ALGORITHMS.md 1.1), in [0, 1]
 * @param sliceRows rows per slice (ALGORITHMS.md 2), in [1, 4096]; at least basisWidth for a dense or output layer
 *     (the converter refuses less); a convolution's slice is raised to its n (the kernel width when it is above 1,
 *     else basisWidth)
 * @param basisWidth slice width n for 1x1 convolutions and dense layers, in [1, 16]
 * @param maxCoeff largest |C| allowed, a power of two in [2^-10, 2^10]
 * @param maxIter decomposition iterations, in [1, 1000]
 * @param tol per-slice early-stop tolerance on ||Cq - Cq_prev||_F, in [0, 1]
 * @param structuredRatio vector-wise pruning ratio (ALGORITHMS.md 3.1), in [0, 1)
 * @param bnGammaThreshold BatchNorm |gamma| channel threshold (ALGORITHMS.md 3.2), &gt;= 0; 0 = off
 * @param skip true to leave the layer dense
 * @param density target density of C in [0, 1]; 0 = off. When set, the converter searches the
 *     threshold that gives at most this density (see {@code SdConverter}); {@code theta} is then
 *     ignored and the threshold found replaces it in the result.
 */
public record LayerPlan(String layer, double theta, int sliceRows, int basisWidth, double maxCoeff,
                        int maxIter, double tol, double structuredRatio, double bnGammaThreshold, boolean skip,
                        double density) implements java.io.Serializable {

    /** The largest threshold theta (of any plan, and of {@code decompose --theta}). */
    public static final double MAX_THETA = 1;

    /** The most rows per slice (of any plan, and of a sweep's {@code --slice-rows}). */
    public static final int MAX_SLICE_ROWS = 4096;

    /** The widest basis of a 1x1 convolution or dense layer (of any plan, a sweep and {@code decompose}). */
    public static final int MAX_BASIS_WIDTH = 16;

    /** The defaults of ALGORITHMS.md: theta 4e-3, 192 rows, width 3, maxCoeff 32, 30 iterations, tol 1e-10. */
    public static final LayerPlan DEFAULTS = new LayerPlan("defaults", 4e-3, 192, 3, 32, 30, 1e-10, 0, 0, false, 0);

    /**
     * Settings without a density target.
     *
     * @param layer layer name
     * @param theta threshold
     * @param sliceRows rows per slice
     * @param basisWidth slice width
     * @param maxCoeff largest |C|
     * @param maxIter iterations
     * @param tol tolerance
     * @param structuredRatio vector-wise pruning ratio
     * @param bnGammaThreshold BatchNorm gamma threshold
     * @param skip leave dense
     */
    public LayerPlan(String layer, double theta, int sliceRows, int basisWidth, double maxCoeff, int maxIter, double tol,
                     double structuredRatio, double bnGammaThreshold, boolean skip) {
        this(layer, theta, sliceRows, basisWidth, maxCoeff, maxIter, tol, structuredRatio, bnGammaThreshold, skip, 0);
    }

    /** Validates every field. */
    public LayerPlan {
        check(layer, "theta", theta, 0, MAX_THETA);
        check(layer, "density", density, 0, 1);
        check(layer, "sliceRows", sliceRows, 1, MAX_SLICE_ROWS);
        check(layer, "basisWidth", basisWidth, 1, MAX_BASIS_WIDTH);
        check(layer, "maxCoeff", maxCoeff, 0x1p-10, 0x1p10);
        if (Double.doubleToRawLongBits(maxCoeff) != Double.doubleToRawLongBits(Math.scalb(1.0, Math.getExponent(maxCoeff)))) {
            throw new IllegalArgumentException(where(layer) + ".maxCoeff must be a power of two, got "
                    + Numbers.plain(maxCoeff));
        }
        check(layer, "maxIter", maxIter, 1, 1000);
        check(layer, "tol", tol, 0, 1);
        if (!(structuredRatio >= 0 && structuredRatio < 1)) {
            throw new IllegalArgumentException(where(layer) + ".structuredRatio must be in [0, 1), got "
                    + Numbers.plain(structuredRatio));
        }
        if (!(bnGammaThreshold >= 0) || Double.isInfinite(bnGammaThreshold)) {
            throw new IllegalArgumentException(where(layer) + ".bnGammaThreshold must be finite and >= 0, got "
                    + Numbers.plain(bnGammaThreshold));
        }
    }

    private static void check(String layer, String field, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s.%s must be in [%s, %s], got %s",
                    where(layer), field, Numbers.plain(lo), Numbers.plain(hi), Numbers.plain(v)));
        }
    }

    private static String where(String layer) {
        return "defaults".equals(layer) ? "plan.defaults" : "plan.layers[" + layer + "]";
    }

    /** @param name the layer these settings now apply to @return a copy for that layer */
    public LayerPlan forLayer(String name) {
        return new LayerPlan(name, theta, sliceRows, basisWidth, maxCoeff, maxIter, tol, structuredRatio, bnGammaThreshold, skip,
                density);
    }

    /** @param newTheta the sparsity threshold @return a copy with that threshold (validated like any plan) */
    public LayerPlan withTheta(double newTheta) {
        return new LayerPlan(layer, newTheta, sliceRows, basisWidth, maxCoeff, maxIter, tol, structuredRatio, bnGammaThreshold, skip,
                density);
    }

    /**
     * @param newTheta the sparsity threshold
     * @param newDensity the density target (0 = off)
     * @return a copy with both (validated like any plan)
     */
    public LayerPlan withSparsity(double newTheta, double newDensity) {
        return new LayerPlan(layer, newTheta, sliceRows, basisWidth, maxCoeff, maxIter, tol, structuredRatio, bnGammaThreshold, skip,
                newDensity);
    }
}
