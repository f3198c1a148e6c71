package org.smartdeal.it.arbiter;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleConsumer;
import java.util.function.IntConsumer;
import org.deeplearning4j.arbiter.optimize.api.AbstractParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.util.LeafUtils;

/**
 * Arbiter search space of the SD hyperparameters of one layer (sliceRows, basisWidth, theta,
 * maxCoeff; ARCHITECTURE.md "a ParameterSpace for the SD hyperparameters"). Each is a
 * {@link ParameterSpace} (e.g. {@code ContinuousParameterSpace} for theta, {@code DiscreteParameterSpace}
 * for sliceRows) or absent (the layer default). The SD layer spaces ({@link SdDenseLayerSpace},
 * {@link SdOutputLayerSpace}, {@link SdConvolutionLayerSpace}) hold one as a nested space, so its leaves
 * join the candidate vector like any other Arbiter leaf.
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
    }

    @Override
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

    @Override
    public int numParameters() {
        return LeafUtils.countUniqueParameters(collectLeaves());
    }

    @Override
    @SuppressWarnings("rawtypes") // Arbiter's ParameterSpace.collectLeaves returns a raw List<ParameterSpace>
    public List<ParameterSpace> collectLeaves() {
        List<ParameterSpace> out = new ArrayList<>();
        for (ParameterSpace<?> p : getNestedSpaces().values()) {
            out.addAll(p.collectLeaves());
        }
        return out;
    }

    @Override
    public boolean isLeaf() {
        return false;
    }

    /** @throws UnsupportedOperationException always: indices belong to the leaves */
    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("SdHyperparameterSpace is not a leaf; Arbiter indexes its leaves");
    }

    /** The sliceRows space, or null. */
    public ParameterSpace<Integer> getSliceRows() {
        return sliceRows;
    }

    /** The basisWidth space, or null. */
    public ParameterSpace<Integer> getBasisWidth() {
        return basisWidth;
    }

    /** The theta space, or null. */
    public ParameterSpace<Double> getTheta() {
        return theta;
    }

    /** The maxCoeff space, or null. */
    public ParameterSpace<Double> getMaxCoeff() {
        return maxCoeff;
    }

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

    /** Builder; every setting is optional (absent: the layer's default). */
    public static final class Builder {
        private ParameterSpace<Integer> sliceRows;
        private ParameterSpace<Integer> basisWidth;
        private ParameterSpace<Double> theta;
        private ParameterSpace<Double> maxCoeff;

        /** Optional: the maximum slice height m. */
        public Builder sliceRows(ParameterSpace<Integer> sliceRows) {
            this.sliceRows = sliceRows;
            return this;
        }

        /** Optional: a fixed maximum slice height m. */
        public Builder sliceRows(int sliceRows) {
            return sliceRows(new FixedValue<>(sliceRows));
        }

        /** Optional: the basis width n (dense, output and kw = 1 conv layers). */
        public Builder basisWidth(ParameterSpace<Integer> basisWidth) {
            this.basisWidth = basisWidth;
            return this;
        }

        /** Optional: a fixed basis width n. */
        public Builder basisWidth(int basisWidth) {
            return basisWidth(new FixedValue<>(basisWidth));
        }

        /** Optional: the threshold theta of the projection P. */
        public Builder theta(ParameterSpace<Double> theta) {
            this.theta = theta;
            return this;
        }

        /** Optional: a fixed theta. */
        public Builder theta(double theta) {
            return theta(new FixedValue<>(theta));
        }

        /** Optional: the clamp of |P(c)| (a space of powers of two, e.g. a DiscreteParameterSpace). */
        public Builder maxCoeff(ParameterSpace<Double> maxCoeff) {
            this.maxCoeff = maxCoeff;
            return this;
        }

        /** Optional: a fixed maxCoeff. */
        public Builder maxCoeff(double maxCoeff) {
            return maxCoeff(new FixedValue<>(maxCoeff));
        }

        /** Builds the space. */
        public SdHyperparameterSpace build() {
            return new SdHyperparameterSpace(this);
        }
    }
}
