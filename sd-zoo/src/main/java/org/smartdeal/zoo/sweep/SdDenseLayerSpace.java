package org.smartdeal.zoo.sweep;

import java.util.Objects;
import org.deeplearning4j.arbiter.layers.FeedForwardLayerSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.util.LeafUtils;
import org.smartdeal.layers.SdDenseLayer;

/**
 * Arbiter {@code LayerSpace} for {@link SdDenseLayer}: DL4J's feed-forward hyperparameters (nIn, nOut,
 * activation, weight init, updater, ...) from {@link FeedForwardLayerSpace}, plus hasBias and the SD
 * hyperparameters as an {@link SdHyperparameterSpace}.
 *
 * <pre>
 * new SdDenseLayerSpace.Builder().nIn(12).nOut(16).activation(Activation.TANH)
 *         .sd(new SdHyperparameterSpace.Builder().theta(new ContinuousParameterSpace(1e-3, 1e-2))
 *                 .sliceRows(new DiscreteParameterSpace&lt;&gt;(6, 12)).build())
 *         .build();
 * </pre>
 */
public class SdDenseLayerSpace extends FeedForwardLayerSpace<SdDenseLayer> {

    private ParameterSpace<Boolean> hasBias;
    private SdHyperparameterSpace sd;

    /** For Arbiter's JSON deserialisation only. */
    protected SdDenseLayerSpace() {
    }

    private SdDenseLayerSpace(Builder b) {
        super(b);
        this.hasBias = b.hasBias;
        this.sd = b.sd;
        if (sd != null) {
            sd.checkSlicesHoldTheBasis("SdDenseLayerSpace");
        }
        this.numParameters = LeafUtils.countUniqueParameters(collectLeaves());
    }

    /**
     * Builds the {@link SdDenseLayer} of a candidate: DL4J's settings from the base space, then the sampled SD
     * settings.
     *
     * @param values the candidate's flat vector (leaves indexed by Arbiter's candidate generator)
     * @throws IllegalArgumentException from the layer builder, naming the layer, field, range and value, when a
     *                                  sampled setting is out of range
     */
    @Override
    public SdDenseLayer getValue(double[] values) {
        SdDenseLayer.Builder b = new SdDenseLayer.Builder();
        setLayerOptionsBuilder(b, values);
        if (hasBias != null) {
            b.hasBias(hasBias.getValue(values));
        }
        SdHyperparameterSpace.apply(sd, values, b::sliceRows, b::basisWidth, b::theta, b::maxCoeff);
        return b.build();
    }

    /** Equal when the base space and the SD settings are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SdDenseLayerSpace s && super.equals(o)
                && Objects.equals(hasBias, s.hasBias) && Objects.equals(sd, s.sd);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), hasBias, sd);
    }

    @Override
    public String toString() {
        return "SdDenseLayerSpace(" + super.toString(", ") + ", hasBias: " + hasBias + ", sd: " + sd + ")";
    }

    /** Builder in Arbiter's style; everything optional except what DL4J needs (nOut; nIn unless inferred). */
    // Arbiter declares build() as <E extends LayerSpace> E build(); a concrete return type is unchecked.
    @SuppressWarnings("unchecked")
    public static class Builder extends FeedForwardLayerSpace.Builder<Builder> {
        private ParameterSpace<Boolean> hasBias;
        private SdHyperparameterSpace sd;

        /** Optional: whether the layer has a bias (default true). */
        public Builder hasBias(boolean hasBias) {
            return hasBias(new FixedValue<>(hasBias));
        }

        /** Optional: a space for hasBias. */
        public Builder hasBias(ParameterSpace<Boolean> hasBias) {
            this.hasBias = hasBias;
            return this;
        }

        /**
         * Optional: the SD hyperparameters (unset: the {@link SdDenseLayer} defaults, see
         * {@link SdHyperparameterSpace}).
         */
        public Builder sd(SdHyperparameterSpace sd) {
            this.sd = sd;
            return this;
        }

        /**
         * Builds the space; the SD settings were checked when their {@link SdHyperparameterSpace} was built, and a
         * fixed sliceRows is checked here against the fixed (or default) basisWidth.
         *
         * @throws IllegalArgumentException when a fixed sliceRows is below the basis width (every candidate would fail)
         */
        @Override
        public SdDenseLayerSpace build() {
            return new SdDenseLayerSpace(this);
        }
    }
}
