package org.smartdeal.layers;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.smartdeal.layers.params.SdParamInitializer;

/** Validation shared by the SD layer configurations. Messages name the layer, field, range and value. */
final class SdConfigs {

    private SdConfigs() {
    }

    /** "SdDenseLayer(name=fc1, index=3)"; index -1 means not known yet (builder time). */
    static String where(Object layer, String name, int index) {
        String n = name == null ? "(unnamed)" : name;
        return layer.getClass().getSimpleName() + "(name=" + n + (index >= 0 ? ", index=" + index : "") + ")";
    }

    /**
     * Checks the SD hyperparameters.
     *
     * @param where      layer description from {@link #where}
     * @param n          effective basis width (kw for conv with kw &gt; 1)
     * @throws IllegalArgumentException naming field, range and value
     */
    static void validate(String where, int n, SdLayer l, BaseLayer base) {
        SdLayer.checkBasisWidth(where, l.getBasisWidth());
        int sr = l.getSliceRows();
        if (sr < n || sr > SdLayer.MAX_SLICE_ROWS) {
            throw new IllegalArgumentException(where + ".sliceRows must be in [n=" + n + ", "
                    + SdLayer.MAX_SLICE_ROWS + "], got " + sr);
        }
        SdLayer.checkTheta(where, l.getTheta());
        SdLayer.checkMaxCoeff(where, l.getMaxCoeff());
        if (base.getWeightNoise() != null) {
            throw new IllegalArgumentException(where + ".weightNoise must be null (not supported by SD layers), got "
                    + base.getWeightNoise());
        }
        requireNoConstraintOnCOrB(where, base);
    }

    /**
     * DL4J applies a weight constraint ({@code constrainWeights}, {@code constrainAllParameters}) to the parameters its
     * initializer calls weights, which in an SD layer are C and B: W = C*B would not meet it, and C would be rescaled
     * off its powers of two in training. Refused, at build and at load. A constraint on a parameter the layer does not
     * have (W, as the converter copied a dense layer's before it refused them) does nothing and is let by, so that such
     * files still load; a bias constraint ({@code constrainBias}) acts on b as in DL4J's layers.
     */
    private static void requireNoConstraintOnCOrB(String where, BaseLayer base) {
        if (base.getConstraints() == null) {
            return;
        }
        java.util.Set<String> sd = java.util.Set.of(SdParamInitializer.C_KEY, SdParamInitializer.B_KEY,
                SdParamInitializer.MASK_KEY);
        for (org.deeplearning4j.nn.api.layers.LayerConstraint c : base.getConstraints()) {
            java.util.Set<String> on = c.getParams();
            if (on != null && on.stream().anyMatch(sd::contains)) {
                throw new IllegalArgumentException(where + ".constraints: " + c.getClass().getSimpleName() + " on "
                        + new java.util.TreeSet<>(on) + " is not supported by SD layers (DL4J applies a weight constraint "
                        + "to C and B: W = C*B would not meet it and C would leave its powers of two); constrain the bias "
                        + "only (constrainBias)");
            }
        }
    }

    /**
     * Builder-time check of the bias constraints: the bias is a vector {@code [nOut]} (as in DL4J's layers), so a
     * constraint over its entries takes dimension 0; another dimension fails in ND4J at the first fit, which this says
     * at build time instead.
     */
    static void requireBiasConstraintDimensions(String where, BaseLayer base) {
        if (base.getConstraints() == null) {
            return;
        }
        for (org.deeplearning4j.nn.api.layers.LayerConstraint c : base.getConstraints()) {
            if (java.util.Set.of(SdParamInitializer.BIAS_KEY).equals(c.getParams())
                    && c instanceof org.deeplearning4j.nn.conf.constraint.BaseConstraint bc && bc.getDimensions() != null
                    && java.util.Arrays.stream(bc.getDimensions()).anyMatch(d -> d != 0)) {
                throw new IllegalArgumentException(where + ".constraints: " + c.getClass().getSimpleName() + " on the "
                        + "bias over dimensions " + java.util.Arrays.toString(bc.getDimensions()) + ": the bias is a "
                        + "vector [nOut], whose one dimension is 0");
            }
        }
    }

    /**
     * Clamps a size to at least 1 for geometry computed before instantiation (DL4J sizes the flat
     * parameter buffer first); the invalid value itself is then reported by instantiate, with the
     * layer index.
     */
    static int atLeastOne(int v) {
        return Math.max(1, v);
    }

    /**
     * Checks nIn and nOut: at instantiation time, and before it when DL4J sizes the flat parameter buffer from
     * {@link SdLayer#sliceShape()} (index not known yet).
     */
    static void validateSizes(String where, long nIn, long nOut) {
        if (nIn < 1) {
            throw new IllegalArgumentException(where + ".nIn must be >= 1, got " + nIn
                    + " (set it on the builder, or give the configuration an input type with setInputType)");
        }
        if (nOut < 1) {
            throw new IllegalArgumentException(where + ".nOut must be >= 1, got " + nOut);
        }
    }
}
