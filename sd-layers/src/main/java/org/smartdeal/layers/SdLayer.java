package org.smartdeal.layers;

/**
 * Common view of the SD layer configurations ({@link SdDenseLayer}, {@link SdOutputLayer},
 * {@link SdConvolutionLayer}, {@link SdDepthwiseConvolutionLayer}): the SD hyperparameters and the geometry of the
 * packed parameters. Every SD layer also routes its updaters per parameter ({@link PerParamUpdaterRouting}), which
 * SD-T training needs: C to the bucket switch, M frozen.
 *
 * <p>Converters and cost models should test {@code instanceof SdLayer} <em>before</em> testing for
 * DL4J's layer types: {@link SdConvolutionLayer} is also a DL4J {@code ConvolutionLayer}, and
 * {@link SdDepthwiseConvolutionLayer} a DL4J {@code DepthwiseConvolution2D}.
 */
public interface SdLayer extends PerParamUpdaterRouting {

    /** Default maximum slice height (64 input channels of a 3x3 conv). */
    int DEFAULT_SLICE_ROWS = 192;
    /** Default basis width for dense, output and 1x1 conv layers. */
    int DEFAULT_BASIS_WIDTH = 3;
    /**
     * Default threshold theta of the training projection P (ALGORITHMS.md 6.1). For a C decomposed at threshold
     * t, theta must not exceed 2^floor(log2 t), the smallest magnitude that decomposition can give (see
     * {@code SdWeights}; {@code SdConverter} sets it so): with C from a decomposition at this same default,
     * 4e-3, use 2^-8.
     */
    double DEFAULT_THETA = 4e-3;
    /** Default clamp of |P(c)|. */
    double DEFAULT_MAX_COEFF = 32.0;
    /** Largest allowed sliceRows. */
    int MAX_SLICE_ROWS = 4096;
    /** Largest allowed basisWidth. */
    int MAX_BASIS_WIDTH = 64;

    /**
     * Checks a basis width against [1, {@link #MAX_BASIS_WIDTH}] (for layer configurations, and for anything
     * that sets one, such as a search space).
     *
     * @param where what holds the value, the start of the message (e.g. "SdDenseLayer(name=fc1)")
     * @throws IllegalArgumentException "where.basisWidth must be in [1, 64], got v"
     */
    static void checkBasisWidth(String where, int basisWidth) {
        if (basisWidth < 1 || basisWidth > MAX_BASIS_WIDTH) {
            throw new IllegalArgumentException(where + ".basisWidth must be in [1, " + MAX_BASIS_WIDTH + "], got "
                    + basisWidth);
        }
    }

    /**
     * Checks a projection threshold against [0, 1].
     *
     * @param where what holds the value, the start of the message
     * @throws IllegalArgumentException "where.theta must be in [0, 1], got v" (NaN included)
     */
    static void checkTheta(String where, double theta) {
        if (!(theta >= 0.0 && theta <= 1.0)) {
            throw new IllegalArgumentException(where + ".theta must be in [0, 1], got " + theta);
        }
    }

    /**
     * Checks a clamp of |P(c)|: a power of two in [2^-10, 2^20].
     *
     * @param where what holds the value, the start of the message
     * @throws IllegalArgumentException "where.maxCoeff must be a power of two in [2^-10, 2^20], got v"
     */
    static void checkMaxCoeff(String where, double maxCoeff) {
        boolean pow2 = maxCoeff > 0 && Double.isFinite(maxCoeff)
                && maxCoeff == Math.scalb(1.0, Math.getExponent(maxCoeff));
        if (!pow2 || maxCoeff < 0x1p-10 || maxCoeff > 0x1p20) {
            throw new IllegalArgumentException(where + ".maxCoeff must be a power of two in [2^-10, 2^20], got "
                    + maxCoeff);
        }
    }

    /** The mask "M": it never trains (routing gives it {@link FreezeUpdater}). */
    @Override
    default java.util.Set<String> frozenParamKeys() {
        return SdLayerRouting.FROZEN_KEYS;
    }

    /** Maximum slice height m. */
    int getSliceRows();

    /** Configured basis width n for dense/1x1 layouts (conv with kw &gt; 1 uses kw instead). */
    int getBasisWidth();

    /** Threshold theta of the projection P: |c| &lt; theta - 1e-5 projects to 0. */
    double getTheta();

    /** Clamp of |P(c)| (a power of two). */
    double getMaxCoeff();

    /**
     * Whether the forward pass applies the projection P to C (default true). Turn off only for
     * finite-difference gradient checks, where P's zero derivative would hide the straight-through
     * gradient.
     */
    boolean isProjectCoefficients();

    /** Whether the layer has a bias "b". */
    boolean hasBias();

    /** Geometry of the packed C, B and M for this layer (needs nIn and nOut set). */
    SdSliceShape sliceShape();

    /** Shape of the DL4J weight W that C and B rebuild ([nIn, nOut], [nOut, nIn, kh, kw] or [kh, kw, nIn, d]). */
    long[] weightShape();

    /**
     * Where the output units of {@link #sliceShape()} sit in the DL4J weight {@link #weightShape()}. The default
     * follows the rank: units as columns for a rank-2 weight, the leading axis otherwise.
     */
    default WeightOrder weightOrder() {
        return weightShape().length == 2 ? WeightOrder.UNITS_AS_COLUMNS : WeightOrder.UNITS_FIRST;
    }

    /**
     * How a DL4J weight holds the U output units of the slice layout, each with its L weights in C order (ALGORITHMS.md
     * 2). The rebuild computes a unit-major [U, L] product; this says how DL4J's W reads it.
     */
    enum WeightOrder {
        /** Dense and output layers, W [nIn, nOut]: unit o is column o (W is the [U, L] product transposed). */
        UNITS_AS_COLUMNS,
        /** Convolutions, W [nOut, nIn, kh, kw]: unit o is W[o], in C order (W is the [U, L] product reshaped). */
        UNITS_FIRST,
        /**
         * Depthwise convolutions, W [kh, kw, nIn, d] (DL4J M2.1's layout): unit u = c*d + j is the kh x kw kernel
         * W[:, :, c, j], so the units are the trailing axes (W in C order is the [U, L] product transposed to [L, U]).
         */
        UNITS_LAST
    }

    /** Fan-in handed to the weight initialiser for B. */
    long fanIn();

    /** Fan-out handed to the weight initialiser for B. */
    long fanOut();
}
