package org.smartdeal.zoo.sweep;

import java.util.Objects;
import org.deeplearning4j.arbiter.layers.BaseConvolutionLayerSpace;
import org.deeplearning4j.arbiter.util.LeafUtils;
import org.smartdeal.layers.SdConvolutionLayer;

/**
 * Arbiter {@code LayerSpace} for {@link SdConvolutionLayer}: DL4J's convolution hyperparameters (kernel
 * size, stride, padding, dilation, convolution mode, nOut, ...) from {@link BaseConvolutionLayerSpace},
 * plus the SD hyperparameters as an {@link SdHyperparameterSpace}. Kernel 5x5, stride 1 and padding 0
 * (DL4J's defaults) apply when not set; basisWidth only matters for kw = 1 kernels (else n = kw).
 */
public class SdConvolutionLayerSpace extends BaseConvolutionLayerSpace<SdConvolutionLayer> {

    private SdHyperparameterSpace sd;

    /** For Arbiter's JSON deserialisation only. */
    protected SdConvolutionLayerSpace() {
    }

    private SdConvolutionLayerSpace(Builder b) {
        super(b);
        this.sd = b.sd;
        this.numParameters = LeafUtils.countUniqueParameters(collectLeaves());
    }

    /**
     * Builds the {@link SdConvolutionLayer} of a candidate: DL4J's settings from the base space, then the sampled SD
     * settings.
     *
     * @param values the candidate's flat vector (leaves indexed by Arbiter's candidate generator)
     * @throws IllegalArgumentException from the layer builder, naming the layer, field, range and value, when a
     *                                  sampled setting is out of range
     */
    @Override
    public SdConvolutionLayer getValue(double[] values) {
        SdConvolutionLayer.Builder b = new SdConvolutionLayer.Builder();
        setLayerOptionsBuilder(b, values);
        SdHyperparameterSpace.apply(sd, values, b::sliceRows, b::basisWidth, b::theta, b::maxCoeff);
        return b.build();
    }

    /** Equal when the base space and the SD settings are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SdConvolutionLayerSpace s && super.equals(o)
                && Objects.equals(sd, s.sd);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), sd);
    }

    @Override
    public String toString() {
        return "SdConvolutionLayerSpace(" + super.toString() + ", sd: " + sd + ")";
    }

    /** Builder in Arbiter's style; nOut required, everything else optional. */
    // Arbiter declares build() as <E extends LayerSpace> E build(); a concrete return type is unchecked.
    @SuppressWarnings("unchecked")
    public static class Builder extends BaseConvolutionLayerSpace.Builder<Builder> {
        private SdHyperparameterSpace sd;

        /**
         * Optional: the SD hyperparameters (unset: the {@link SdConvolutionLayer} defaults, see
         * {@link SdHyperparameterSpace}).
         */
        public Builder sd(SdHyperparameterSpace sd) {
            this.sd = sd;
            return this;
        }

        /** Builds the space; the SD settings were checked when their {@link SdHyperparameterSpace} was built. */
        @Override
        public SdConvolutionLayerSpace build() {
            return new SdConvolutionLayerSpace(this);
        }
    }
}
