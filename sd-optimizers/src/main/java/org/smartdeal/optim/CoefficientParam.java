package org.smartdeal.optim;

import java.util.Arrays;
import java.util.Objects;

import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A power-of-two coefficient parameter ("C") together with where its mask M comes from. Used by
 * {@link SwaListener} to project the averaged C inside its mask (ALGORITHMS.md 6.4).
 *
 * <p>Three mask sources: a sibling parameter of the same layer (SD layers: "M"), an explicit array,
 * or "C != 0 when training starts" (M's definition in ALGORITHMS.md 6.1, for plain layers).
 *
 * <p>A coefficient parameter may carry its own projection threshold theta ({@link #withTheta}), e.g. the
 * forward threshold of its SD layer ({@code SdTraining.swaListener(net, swaStart)}); without one,
 * {@link SwaListener}'s theta applies.
 */
public final class CoefficientParam {

    private final ParamRef param;
    private final String maskParamKey;
    private final INDArray mask;
    /** Projection threshold of this parameter, or NaN for the listener's. */
    private final double theta;

    private CoefficientParam(ParamRef param, String maskParamKey, INDArray mask, double theta) {
        this.param = Objects.requireNonNull(param, "param");
        this.maskParamKey = maskParamKey;
        this.mask = mask;
        this.theta = theta;
    }

    private CoefficientParam(ParamRef param, String maskParamKey, INDArray mask) {
        this(param, maskParamKey, mask, Double.NaN);
    }

    /**
     * The same parameter and mask with its own projection threshold.
     *
     * @param theta the threshold of P for this parameter, in (0, 1]
     * @return a new object
     */
    public CoefficientParam withTheta(double theta) {
        if (!(theta > 0 && theta <= 1)) {
            throw new IllegalArgumentException("theta of " + param + " must be in (0, 1], got " + theta);
        }
        return new CoefficientParam(param, maskParamKey, mask, theta);
    }

    /** The projection threshold: this parameter's own (see {@link #withTheta}) or {@code fallback}. */
    public double thetaOr(double fallback) {
        return Double.isNaN(theta) ? fallback : theta;
    }

    /** C masked by another parameter of the same layer, e.g. {@code maskedBy(ParamRef.of("sd1", "C"), "M")}. */
    public static CoefficientParam maskedBy(ParamRef param, String maskParamKey) {
        if (maskParamKey == null || maskParamKey.isBlank()) {
            throw new IllegalArgumentException("maskParamKey of " + param + " must be non-blank, got '"
                    + maskParamKey + "'");
        }
        return new CoefficientParam(param, maskParamKey, null);
    }

    /** C masked by an explicit 0/1 array of C's shape (copied). */
    public static CoefficientParam withMask(ParamRef param, INDArray mask) {
        return new CoefficientParam(param, null, Objects.requireNonNull(mask, "mask").dup());
    }

    /** C masked by its own non-zero pattern when training starts (snapshot taken by the user of this object). */
    public static CoefficientParam nonZeroAtStart(ParamRef param) {
        return new CoefficientParam(param, null, null);
    }

    /** The coefficient parameter. */
    public ParamRef param() {
        return param;
    }

    /** True when the mask is C's own non-zero pattern at the start of training. */
    public boolean isNonZeroAtStart() {
        return maskParamKey == null && mask == null;
    }

    /** The current value of C in {@code net} (a view, not a copy). */
    public INDArray valueIn(Model net) {
        return BucketSwitchMasks.paramOf(net, param);
    }

    /**
     * The mask as an array of C's shape and data type (a new array): the sibling parameter, the explicit
     * array, or {@code C != 0} now.
     */
    public INDArray maskIn(Model net) {
        INDArray c = valueIn(net);
        INDArray m;
        if (maskParamKey != null) {
            m = BucketSwitchMasks.paramOf(net, ParamRef.of(param.layerName(), maskParamKey));
        } else if (mask != null) {
            m = mask;
        } else {
            return c.neq(0).castTo(c.dataType());
        }
        if (!Arrays.equals(m.shape(), c.shape())) {
            throw new IllegalArgumentException("mask of " + param + " has shape " + Arrays.toString(m.shape())
                    + " but the parameter has shape " + Arrays.toString(c.shape()));
        }
        return m.castTo(c.dataType()).dup();
    }

    @Override
    public String toString() {
        return param + (maskParamKey != null ? " masked by " + maskParamKey
                : mask != null ? " with explicit mask" : " masked by C != 0 at start")
                + (Double.isNaN(theta) ? "" : ", theta " + theta);
    }
}
