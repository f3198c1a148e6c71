package org.smartdeal.zoo.sweep;

import java.util.Objects;
import org.deeplearning4j.arbiter.layers.BaseOutputLayerSpace;
import org.deeplearning4j.arbiter.util.LeafUtils;
import org.smartdeal.layers.SdOutputLayer;

/**
 * Arbiter {@code LayerSpace} for {@link SdOutputLayer}: DL4J's output-layer hyperparameters (nIn, nOut,
 * loss, hasBias, activation, ...) from {@link BaseOutputLayerSpace}, plus the SD hyperparameters as an
 * {@link SdHyperparameterSpace}. Without a loss function the SdOutputLayer default (MCXENT) applies.
 */
public class SdOutputLayerSpace extends BaseOutputLayerSpace<SdOutputLayer> {

    private SdHyperparameterSpace sd;

    /** For Arbiter's JSON deserialisation only. */
    protected SdOutputLayerSpace() {
    }

    private SdOutputLayerSpace(Builder b) {
        super(b);
        this.sd = b.sd;
        if (sd != null) {
            sd.checkSlicesHoldTheBasis("SdOutputLayerSpace");
        }
        this.numParameters = LeafUtils.countUniqueParameters(collectLeaves());
    }

    /**
     * Builds the {@link SdOutputLayer} of a candidate: DL4J's settings from the base space, then the sampled SD
     * settings.
     *
     * @param values the candidate's flat vector (leaves indexed by Arbiter's candidate generator)
     * @throws IllegalArgumentException from the layer builder, naming the layer, field, range and value, when a
     *                                  sampled setting is out of range
     */
    @Override
    public SdOutputLayer getValue(double[] values) {
        SdOutputLayer.Builder b = new SdOutputLayer.Builder();
        setLayerOptionsBuilder(b, values);
        SdHyperparameterSpace.apply(sd, values, b::sliceRows, b::basisWidth, b::theta, b::maxCoeff);
        return b.build();
    }

    /** Equal when the base space and the SD settings are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SdOutputLayerSpace s && super.equals(o) && Objects.equals(sd, s.sd);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), sd);
    }

    @Override
    public String toString() {
        return "SdOutputLayerSpace(" + super.toString() + ", sd: " + sd + ")";
    }

    /** Builder in Arbiter's style; nOut required, everything else optional. */
    // Arbiter declares build() as <E extends LayerSpace> E build(); a concrete return type is unchecked.
    @SuppressWarnings("unchecked")
    public static class Builder extends BaseOutputLayerSpace.Builder<Builder> {
        private SdHyperparameterSpace sd;

        /**
         * Optional: the SD hyperparameters (unset: the {@link SdOutputLayer} defaults, see
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
        public SdOutputLayerSpace build() {
            return new SdOutputLayerSpace(this);
        }
    }
}
