package org.smartdeal.zoo.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.IntConsumer;
import org.deeplearning4j.arbiter.optimize.api.AbstractParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;
import org.deeplearning4j.arbiter.util.LeafUtils;
import org.smartdeal.layers.SdLayer;

/**
 * Arbiter search space of the SD hyperparameters of one layer (ARCHITECTURE.md "a ParameterSpace for the
 * SD hyperparameters"): sliceRows, basisWidth, theta and maxCoeff, each a {@link ParameterSpace} (for example
 * a {@code ContinuousParameterSpace} for theta, a {@code DiscreteParameterSpace} for sliceRows), a fixed value,
 * or unset. Unset means the layer default: {@value SdLayer#DEFAULT_SLICE_ROWS}, {@value SdLayer#DEFAULT_BASIS_WIDTH},
 * {@value SdLayer#DEFAULT_THETA} and {@value SdLayer#DEFAULT_MAX_COEFF}.
 *
 * <p>The SD layer spaces ({@link SdDenseLayerSpace}, {@link SdOutputLayerSpace}, {@link SdConvolutionLayerSpace})
 * hold one as a nested space, so its leaves join the candidate vector like any other Arbiter leaf:
 *
 * <pre>{@code
 * SdHyperparameterSpace sd = new SdHyperparameterSpace.Builder()
 *         .theta(new ContinuousParameterSpace(1e-3, 1e-2))     // searched
 *         .sliceRows(new DiscreteParameterSpace<>(6, 12))      // searched
 *         .basisWidth(3)                                       // fixed
 *         .build();                                            // maxCoeff: layer default
 * LayerSpace<SdDenseLayer> fc = new SdDenseLayerSpace.Builder().nIn(12).nOut(16).sd(sd).build();
 * }</pre>
 *
 * <p>Allowed values are the SD layers' ({@link SdLayer}): sliceRows in [n, {@value SdLayer#MAX_SLICE_ROWS}] where n
 * is the layer's effective basis width, basisWidth in [1, {@value SdLayer#MAX_BASIS_WIDTH}], theta in [0, 1],
 * maxCoeff a power of two in [2^-10, 2^20]. A fixed value (a space with no free parameter) is checked when the space
 * is built; a sampled value is checked by the SD layer builder when a candidate is built, and the candidate then
 * fails with that builder's message (layer, field, range, value).
 *
 * <p>Not a leaf: Arbiter finds the four fields by reflection ({@code AbstractParameterSpace.getNestedSpaces})
 * and serialises them by field (its JsonMapper), so they keep these names.
 */
public final class SdHyperparameterSpace extends AbstractParameterSpace<SdHyperparameters> {

    private ParameterSpace<Integer> sliceRows;
    private ParameterSpace<Integer> basisWidth;
    private ParameterSpace<Double> theta;
    private ParameterSpace<Double> maxCoeff;

    /** For Arbiter's JSON deserialisation only. */
    private SdHyperparameterSpace() {
    }

    private SdHyperparameterSpace(Builder b) {
        this.sliceRows = b.sliceRows;
        this.basisWidth = b.basisWidth;
        this.theta = b.theta;
        this.maxCoeff = b.maxCoeff;
        checkIfFixed(sliceRows, SdHyperparameterSpace::checkSliceRows);
        checkIfFixed(basisWidth, v -> SdLayer.checkBasisWidth("SdHyperparameterSpace", v));
        checkIfFixed(theta, v -> SdLayer.checkTheta("SdHyperparameterSpace", v));
        checkIfFixed(maxCoeff, v -> SdLayer.checkMaxCoeff("SdHyperparameterSpace", v));
    }

    /**
     * The sampled SD settings at a candidate vector; a field is null when the space leaves it unset.
     *
     * @param values the candidate's flat vector, each entry in [0, 1]; the leaves must have their indices
     *               (Arbiter sets them when a candidate generator is created for the enclosing space)
     */
    public SdHyperparameters getValue(double[] values) {
        return new SdHyperparameters(valueOf(sliceRows, values), valueOf(basisWidth, values), valueOf(theta, values),
                valueOf(maxCoeff, values));
    }

    /**
     * Passes the sampled SD settings to a layer builder's setters (those the space sets); nothing when
     * {@code space} is null.
     */
    static void apply(SdHyperparameterSpace space, double[] values, IntConsumer sliceRowsSetter,
            IntConsumer basisWidthSetter, DoubleConsumer thetaSetter, DoubleConsumer maxCoeffSetter) {
        if (space != null) {
            space.getValue(values).applyTo(sliceRowsSetter, basisWidthSetter, thetaSetter, maxCoeffSetter);
        }
    }

    private static <T> T valueOf(ParameterSpace<T> space, double[] values) {
        return space == null ? null : space.getValue(values);
    }

    /** The fixed settings alone (a field is null when the space leaves it unset or searches it). */
    SdHyperparameters fixedValues() {
        return new SdHyperparameters(fixedValue(sliceRows), fixedValue(basisWidth), fixedValue(theta),
                fixedValue(maxCoeff));
    }

    /**
     * The settings to check a space against a network with, so that only a setting every candidate shares can fail:
     * the fixed values, and for a searched sliceRows the largest a plan allows (4096) and for a searched basisWidth
     * 1, the values that pass a slice-height check whatever the other setting is; theta and maxCoeff as
     * {@link #fixedValues}.
     */
    SdHyperparameters lenientValues() {
        return new SdHyperparameters(sliceRows != null && sliceRows.numParameters() > 0 ? Integer.valueOf(4096)
                : fixedValue(sliceRows), basisWidth != null && basisWidth.numParameters() > 0 ? Integer.valueOf(1)
                : fixedValue(basisWidth), fixedValue(theta), fixedValue(maxCoeff));
    }

    /**
     * Refuses, for a layer whose basis width n is its basisWidth (dense and output layers), a fixed sliceRows below a
     * fixed basisWidth (an unset one counts as the layer default), which the layer builder refuses in every candidate
     * (sliceRows must be in [n, {@value SdLayer#MAX_SLICE_ROWS}]); a searched one is left to the candidates.
     *
     * @param owner the layer space, for the message
     * @throws IllegalArgumentException naming both settings and their values
     */
    void checkSlicesHoldTheBasis(String owner) {
        Integer rows = sliceRows == null ? Integer.valueOf(SdLayer.DEFAULT_SLICE_ROWS) : fixedValue(sliceRows);
        Integer width = basisWidth == null ? Integer.valueOf(SdLayer.DEFAULT_BASIS_WIDTH) : fixedValue(basisWidth);
        if (rows != null && width != null && rows < width) {
            throw new IllegalArgumentException(owner + ": sd.sliceRows must be at least the basis width n = " + width
                    + (basisWidth == null ? " (the layer default)" : "") + ", got " + rows
                    + ": the layer builder would refuse every candidate");
        }
    }

    /** The value of a space without free parameters, else null. */
    static <T> T fixedValue(ParameterSpace<T> space) {
        return space == null || space.numParameters() > 0 ? null : space.getValue(new double[0]);
    }

    /** The number of distinct searched leaves (0 when every setting is fixed or unset). */
    @Override
    public int numParameters() {
        return LeafUtils.countUniqueParameters(collectLeaves());
    }

    /** The leaves of the set fields (fixed values included), in field order. */
    @Override
    @SuppressWarnings("rawtypes") // Arbiter's ParameterSpace.collectLeaves returns a raw List<ParameterSpace>
    public List<ParameterSpace> collectLeaves() {
        return leavesOf(getNestedSpaces());
    }

    /** The leaves of nested spaces, in the map's order (shared by the package's non-leaf spaces). */
    @SuppressWarnings("rawtypes") // Arbiter's raw ParameterSpace lists
    static List<ParameterSpace> leavesOf(java.util.Map<String, ParameterSpace> nested) {
        List<ParameterSpace> out = new ArrayList<>();
        for (ParameterSpace<?> p : nested.values()) {
            out.addAll(p.collectLeaves());
        }
        return out;
    }

    /** False: the four fields are the (nested) spaces. */
    @Override
    public boolean isLeaf() {
        return false;
    }

    /**
     * Not supported: Arbiter indexes the leaves of this space, not the space.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("SdHyperparameterSpace is not a leaf; Arbiter indexes its leaves");
    }

    /** The sliceRows space, or null when unset (layer default). */
    public ParameterSpace<Integer> getSliceRows() {
        return sliceRows;
    }

    /** The basisWidth space, or null when unset (layer default). */
    public ParameterSpace<Integer> getBasisWidth() {
        return basisWidth;
    }

    /** The theta space, or null when unset (layer default). */
    public ParameterSpace<Double> getTheta() {
        return theta;
    }

    /** The maxCoeff space, or null when unset (layer default). */
    public ParameterSpace<Double> getMaxCoeff() {
        return maxCoeff;
    }

    /** Equal when the four spaces are equal (Arbiter compares spaces by value). */
    @Override
    public boolean equals(Object o) {
        return o instanceof SdHyperparameterSpace s && Objects.equals(sliceRows, s.sliceRows)
                && Objects.equals(basisWidth, s.basisWidth) && Objects.equals(theta, s.theta)
                && Objects.equals(maxCoeff, s.maxCoeff);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sliceRows, basisWidth, theta, maxCoeff);
    }

    @Override
    public String toString() {
        return "SdHyperparameterSpace(sliceRows=" + sliceRows + ", basisWidth=" + basisWidth + ", theta=" + theta
                + ", maxCoeff=" + maxCoeff + ")";
    }

    /** A constant space (no free parameter) is checked now; a searched one when a candidate is built. */
    private static <T> void checkIfFixed(ParameterSpace<T> space, Consumer<T> check) {
        if (space != null && space.numParameters() == 0) {
            check.accept(space.getValue(new double[0]));
        }
    }

    private static void checkSliceRows(int v) {
        if (v < 1 || v > SdLayer.MAX_SLICE_ROWS) {
            throw new IllegalArgumentException("SdHyperparameterSpace.sliceRows must be in [1, "
                    + SdLayer.MAX_SLICE_ROWS + "] (and at least the layer's basis width), got " + v);
        }
    }

    private static <T> ParameterSpace<T> notNull(String field, ParameterSpace<T> space) {
        if (space == null) {
            throw new IllegalArgumentException("SdHyperparameterSpace." + field
                    + " must be a ParameterSpace, got null (leave " + field + " unset for the layer default)");
        }
        return gridSafe("SdHyperparameterSpace." + field, space);
    }

    /**
     * Refuses a {@code DiscreteParameterSpace} of one value. Arbiter 1.0.0-beta7's grid search gives such a leaf a
     * position in the candidate vector ({@code BaseCandidateGenerator}) but leaves it out of the vector it builds
     * ({@code GridSearchCandidateGenerator.indexToValues} keeps only parameters with more than one value), so every
     * leaf after it reads past the end: each candidate fails. A fixed value ({@code FixedValue}) has no position and
     * is safe.
     *
     * @param where the field, for the message
     * @param space the space
     * @return {@code space}
     * @throws IllegalArgumentException for a one-value discrete or integer space ({@code IntegerParameterSpace(3, 3)})
     */
    static <T> ParameterSpace<T> gridSafe(String where, ParameterSpace<T> space) {
        String kind = space instanceof DiscreteParameterSpace<?> d && d.numValues() == 1 ? "a DiscreteParameterSpace"
                : space instanceof IntegerParameterSpace i && i.getMin() == i.getMax() ? "an IntegerParameterSpace" : null;
        if (kind != null) {
            throw new IllegalArgumentException(where + " is " + kind + " of one value: give the value "
                    + "itself (a FixedValue), since Arbiter's grid search misplaces one-value discrete spaces and every "
                    + "candidate after them fails");
        }
        return space;
    }

    /**
     * Builder; every setting is optional (unset: the layer's default). Each setting takes a space to search or a
     * fixed value; the last call for a setting wins.
     */
    public static final class Builder {
        private ParameterSpace<Integer> sliceRows;
        private ParameterSpace<Integer> basisWidth;
        private ParameterSpace<Double> theta;
        private ParameterSpace<Double> maxCoeff;

        /**
         * Optional: a space for the maximum slice height m (default {@value SdLayer#DEFAULT_SLICE_ROWS}).
         *
         * @throws IllegalArgumentException if {@code sliceRows} is null
         */
        public Builder sliceRows(ParameterSpace<Integer> sliceRows) {
            this.sliceRows = notNull("sliceRows", sliceRows);
            return this;
        }

        /** Optional: a fixed maximum slice height m, in [1, {@value SdLayer#MAX_SLICE_ROWS}], checked by build. */
        public Builder sliceRows(int sliceRows) {
            return sliceRows(new FixedValue<>(sliceRows));
        }

        /**
         * Optional: a space for the basis width n of dense, output and kw = 1 convolution layers (a conv layer with
         * kw &gt; 1 uses n = kw); default {@value SdLayer#DEFAULT_BASIS_WIDTH}.
         *
         * @throws IllegalArgumentException if {@code basisWidth} is null
         */
        public Builder basisWidth(ParameterSpace<Integer> basisWidth) {
            this.basisWidth = notNull("basisWidth", basisWidth);
            return this;
        }

        /** Optional: a fixed basis width n, in [1, {@value SdLayer#MAX_BASIS_WIDTH}], checked by {@link #build}. */
        public Builder basisWidth(int basisWidth) {
            return basisWidth(new FixedValue<>(basisWidth));
        }

        /**
         * Optional: a space for the threshold theta of the projection P, within [0, 1] (default
         * {@value SdLayer#DEFAULT_THETA}).
         *
         * @throws IllegalArgumentException if {@code theta} is null
         */
        public Builder theta(ParameterSpace<Double> theta) {
            this.theta = notNull("theta", theta);
            return this;
        }

        /** Optional: a fixed theta, in [0, 1], checked by {@link #build}. */
        public Builder theta(double theta) {
            return theta(new FixedValue<>(theta));
        }

        /**
         * Optional: a space for the clamp of |P(c)|; its values must be powers of two in [2^-10, 2^20], so use a
         * {@code DiscreteParameterSpace}, not a continuous one (default {@value SdLayer#DEFAULT_MAX_COEFF}).
         *
         * @throws IllegalArgumentException if {@code maxCoeff} is null
         */
        public Builder maxCoeff(ParameterSpace<Double> maxCoeff) {
            this.maxCoeff = notNull("maxCoeff", maxCoeff);
            return this;
        }

        /** Optional: a fixed maxCoeff, a power of two in [2^-10, 2^20], checked by {@link #build}. */
        public Builder maxCoeff(double maxCoeff) {
            return maxCoeff(new FixedValue<>(maxCoeff));
        }

        /**
         * Builds the space.
         *
         * @throws IllegalArgumentException naming the field, the allowed range and the value, when a fixed setting
         *                                  is out of range
         */
        public SdHyperparameterSpace build() {
            return new SdHyperparameterSpace(this);
        }
    }
}
