package org.smartdeal.layers;

import org.deeplearning4j.nn.conf.layers.BaseLayer;

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
