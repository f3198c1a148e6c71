package org.smartdeal.layers;

import java.util.EnumMap;
import java.util.Map;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.nd4j.linalg.learning.config.IUpdater;
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

    /**
     * The memory report of an SD layer, made from the report {@code base} of the DL4J layer it extends (its
     * activations, and its working memory for the convolution, the product or the loss, which the SD layers run as
     * DL4J's layers do). Three things differ from {@code base}: the layer type is the SD layer's class; the updater
     * state is counted per parameter with the updater each one is given ({@code getUpdaterByParam}: M's freeze keeps
     * none, a parameter routed with {@code setParamTraining}, e.g. C on the bucket switch, keeps its own updater's),
     * where DL4J's layers count the layer-wide updater over all parameters; and the rebuild of W = P(C).*M @ B,
     * 2 |C| + |W| values in every forward pass (P(C).*M, its product with B, W), is added to the fixed working memory,
     * twice in training (the backward pass holds as much again).
     */
    static LayerMemoryReport memoryReport(BaseLayer layer, LayerMemoryReport base) {
        SdLayer sd = (SdLayer) layer;
        SdSliceShape s = sd.sliceShape();
        long c = s.coefficientLength();
        long updaterState = stateSize(layer, SdParamInitializer.C_KEY, c)
                + stateSize(layer, SdParamInitializer.B_KEY, s.basisLength())
                + stateSize(layer, SdParamInitializer.MASK_KEY, c)
                + (sd.hasBias() ? stateSize(layer, SdParamInitializer.BIAS_KEY, s.units()) : 0);
        long w = 1;
        for (long d : sd.weightShape()) {
            w *= d;
        }
        long rebuild = 2 * c + w;
        return new LayerMemoryReport.Builder(layer.getLayerName(), layer.getClass(), base.getInputType(),
                base.getOutputType())
                .standardMemory(base.getParameterSize(), updaterState)
                .workingMemory(base.getWorkingMemoryFixedInference() + rebuild, base.getWorkingMemoryVariableInference(),
                        plus(base.getWorkingMemoryFixedTrain(), 2 * rebuild), base.getWorkingMemoryVariableTrain())
                .cacheMemory(base.getCacheModeMemFixed(), base.getCacheModeMemVariablePerEx())
                .build();
    }

    private static long stateSize(BaseLayer layer, String key, long length) {
        IUpdater u = layer.getUpdaterByParam(key);
        return u == null ? 0 : u.stateSize(length);
    }

    private static Map<CacheMode, Long> plus(Map<CacheMode, Long> perMode, long add) {
        Map<CacheMode, Long> out = new EnumMap<>(CacheMode.class);
        for (CacheMode m : CacheMode.values()) {
            Long v = perMode == null ? null : perMode.get(m);
            out.put(m, (v == null ? 0 : v) + add);
        }
        return out;
    }
}
