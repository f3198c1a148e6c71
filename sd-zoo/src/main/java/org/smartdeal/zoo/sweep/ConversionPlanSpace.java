package org.smartdeal.zoo.sweep;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.arbiter.optimize.api.AbstractParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.util.LeafUtils;
import org.deeplearning4j.nn.api.Model;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.LayerPlan;
import org.smartdeal.zoo.convert.SdConverter;

/**
 * Arbiter search space of {@link ConversionPlan}s: the conversion settings of a trained network (job 1,
 * "compress"), searched by Arbiter's candidate generators ({@code GridSearchCandidateGenerator},
 * {@code RandomSearchGenerator}) and priced by {@link ConversionTaskCreator}.
 *
 * <p>A candidate plan is a base plan with sampled SD settings put in:
 * <ul>
 *   <li>the {@linkplain Builder#defaults defaults space} sets each field it samples (theta, sliceRows, basisWidth,
 *       maxCoeff) in the plan's defaults <em>and</em> in every per-layer override of the base plan, so a swept
 *       theta reaches every layer; a sampled theta also clears any density target (the plan's {@code density},
 *       which would otherwise replace the threshold);</li>
 *   <li>a {@linkplain Builder#density density space} sets a target C density everywhere in the same way (the
 *       converter then searches each layer's threshold: how {@code smartdeal demo} reaches 60x);</li>
 *   <li>a {@linkplain Builder#layer per-layer space} then sets its fields for that one layer, and a
 *       {@linkplain Builder#layerDensity per-layer density space} its density target (per-layer tuning: each
 *       layer's leaves are separate entries of the candidate vector).</li>
 * </ul>
 * A field no space samples keeps the base plan's value. Sampled thresholds and densities are kept to 12
 * significant digits ({@code 0.016}, not {@code 0.015999999999999997}). The space's leaves are those of its nested spaces, in the
 * order of {@link #getNestedSpaces()}.
 *
 * <pre>{@code
 * ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
 *         .defaults(new SdHyperparameterSpace.Builder()
 *                 .theta(new ContinuousParameterSpace(new LogUniformDistribution(2e-3, 2e-2)))
 *                 .sliceRows(new DiscreteParameterSpace<>(96, 192)).build())
 *         .layer("layer2", new SdHyperparameterSpace.Builder().theta(1e-3).build())   // keep the classifier finer
 *         .build();
 * }</pre>
 *
 * <p>Fixed values are checked when the space is built, against {@link LayerPlan}'s ranges (theta in [0, 1],
 * sliceRows in [1, 4096], basisWidth in [1, 16], maxCoeff a power of two in [2^-10, 2^10], density in [0, 1]);
 * sampled values when a candidate's plan is made: an out-of-range sample makes that candidate fail with LayerPlan's
 * message. {@link #checkAgainst} checks the space against the network before a sweep runs (layer names, layers
 * that are converted, dense slices at least the basis width); {@code ConversionSweep} calls it.
 *
 * <p>Not serialised with Arbiter's JSON (a {@link ConversionPlan} is a record): keep the space in code, or the base
 * plan in its own JSON ({@link ConversionPlan#toJson}).
 */
public final class ConversionPlanSpace extends AbstractParameterSpace<ConversionPlan> {

    private final ConversionPlan base;
    private final SdHyperparameterSpace defaults;
    private final ParameterSpace<Double> density;
    private final Map<String, SdHyperparameterSpace> layers;
    private final Map<String, ParameterSpace<Double>> layerDensities;

    private ConversionPlanSpace(Builder b) {
        this.base = b.base;
        this.defaults = b.defaults;
        this.density = b.density;
        this.layers = Collections.unmodifiableMap(new LinkedHashMap<>(b.layers));
        this.layerDensities = Collections.unmodifiableMap(new LinkedHashMap<>(b.layerDensities));
        try {
            fixedPlan();
        } catch (IllegalArgumentException e) {
            // a fixed value the SD layers accept but a plan does not (basisWidth 32, maxCoeff 2^11, density 1.5)
            // would fail every candidate
            throw new IllegalArgumentException("ConversionPlanSpace: a fixed value gives no valid plan, so every "
                    + "candidate would fail: " + e.getMessage(), e);
        }
    }

    /**
     * The plan at a candidate vector.
     *
     * @param values the candidate's flat vector, each entry in [0, 1] (the leaves must have their indices, which
     *               Arbiter sets when a candidate generator is created for this space)
     * @return the base plan with the sampled settings put in
     * @throws IllegalArgumentException when a sampled value is outside {@link LayerPlan}'s range (its message)
     */
    @Override
    public ConversionPlan getValue(double[] values) {
        return plan(h -> h.getValue(values), s -> s.getValue(values));
    }

    /**
     * The plan of the fixed values alone, every searched setting keeping the base plan's value: what every candidate
     * shares, checked when the space is built and against the network by {@link #checkAgainst}.
     *
     * @throws IllegalArgumentException when a fixed value is outside {@link LayerPlan}'s range
     */
    ConversionPlan fixedPlan() {
        return plan(SdHyperparameterSpace::fixedValues, SdHyperparameterSpace::fixedValue);
    }

    private ConversionPlan plan(java.util.function.Function<SdHyperparameterSpace, SdHyperparameters> settings,
                                java.util.function.Function<ParameterSpace<Double>, Double> densityOf) {
        SdHyperparameters d = defaults == null ? null : settings.apply(defaults);
        Double dd = density == null ? null : densityOf.apply(density);
        LayerPlan newDefaults = withDensity(with(base.defaults(), d), dd);
        Map<String, LayerPlan> overrides = new LinkedHashMap<>();
        base.overrides().forEach((name, p) -> overrides.put(name, withDensity(with(p, d), dd)));
        layers.forEach((name, space) -> overrides.put(name,
                with(overrides.getOrDefault(name, newDefaults.forLayer(name)), settings.apply(space))));
        layerDensities.forEach((name, space) -> overrides.put(name,
                withDensity(overrides.getOrDefault(name, newDefaults.forLayer(name)), densityOf.apply(space))));
        return new ConversionPlan(newDefaults, base.convertDepthwise(), overrides);
    }

    /** {@code p} with density target {@code d} (null: unchanged); the threshold is then searched per layer. */
    private static LayerPlan withDensity(LayerPlan p, Double d) {
        return d == null ? p : p.withSparsity(p.theta(), tidy(d));
    }

    /**
     * A sampled real value to 12 significant digits, so that a plan reads 0.016 where a log-uniform grid computed
     * 0.015999999999999997 (a change of at most 5e-13 relative).
     */
    static double tidy(double v) {
        return v == 0 || !Double.isFinite(v) ? v
                : new java.math.BigDecimal(v).round(new java.math.MathContext(12)).doubleValue();
    }

    /** {@code p} with the fields {@code h} sets; a set theta clears the density target. */
    static LayerPlan with(LayerPlan p, SdHyperparameters h) {
        if (h == null) {
            return p;
        }
        return new LayerPlan(p.layer(), h.theta() != null ? tidy(h.theta()) : p.theta(),
                h.sliceRows() != null ? h.sliceRows() : p.sliceRows(),
                h.basisWidth() != null ? h.basisWidth() : p.basisWidth(),
                h.maxCoeff() != null ? h.maxCoeff() : p.maxCoeff(), p.maxIter(), p.tol(), p.structuredRatio(),
                p.bnGammaThreshold(), p.skip(), h.theta() != null ? 0 : p.density());
    }

    /**
     * Fails when the base plan or a per-layer space names a layer the network lacks (before any candidate is run;
     * otherwise every candidate would fail with the same message).
     *
     * @param layerNames the network's layer names ({@code SdConverter.layerNames})
     * @throws IllegalArgumentException naming the unknown layers and the known ones
     */
    public void checkLayersExist(java.util.Collection<String> layerNames) {
        base.checkLayersExist(layerNames);
        java.util.Set<String> unknown = new java.util.TreeSet<>(layers.keySet());
        unknown.addAll(layerDensities.keySet());
        unknown.removeAll(layerNames);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("ConversionPlanSpace has spaces for layers the network does not have: "
                    + unknown + "; the network's layers are " + layerNames);
        }
    }

    /**
     * Checks the space against the network before any candidate runs: the base plan with the space's fixed values as
     * the converter checks it ({@link SdConverter#checkPlan}: a fixed sliceRows below a fixed basisWidth on a dense
     * layer, or below the basis width a plan gives a layer, for example; a searched setting is not held against
     * it), per-layer spaces naming layers the network has ({@link #checkLayersExist}) and
     * layers the converter converts: a space on a dropout or batch-normalization layer, or on a layer the base plan
     * skips (no sample changes skip), would give candidates that differ in name only; so would any space over a base
     * plan that skips every layer the network converts (each candidate would be the dense network).
     *
     * @param net the network the candidates convert
     * @throws IllegalArgumentException naming the layers and the ones that qualify
     */
    public void checkAgainst(Model net) {
        checkLayersExist(SdConverter.layerNames(net));
        List<String> convertible = SdConverter.convertibleLayerNames(net, base);
        java.util.Set<String> inert = new java.util.TreeSet<>(layers.keySet());
        inert.addAll(layerDensities.keySet());
        inert.removeAll(convertible);
        if (!inert.isEmpty()) {
            throw new IllegalArgumentException("ConversionPlanSpace has spaces for layers that are not converted (not a "
                    + SdConverter.CONVERTED_KINDS + "): " + inert + "; their settings would change nothing; "
                    + "the layers converted are " + convertible);
        }
        // no space changes skip, so a layer the base plan keeps dense stays dense in every candidate
        if (!convertible.isEmpty() && convertible.stream().allMatch(name -> base.settingsFor(name).skip())) {
            throw new IllegalArgumentException("ConversionPlanSpace: the base plan skips (keeps dense) every layer the "
                    + "network converts, " + convertible + ", and no sample changes skip, so every candidate would be "
                    + "the dense network: take skip off the layers to search in the plan");
        }
        java.util.Set<String> skipped = new java.util.TreeSet<>(layers.keySet());
        skipped.addAll(layerDensities.keySet());
        skipped.removeIf(name -> !base.settingsFor(name).skip());
        if (!skipped.isEmpty()) {
            throw new IllegalArgumentException("ConversionPlanSpace has spaces for layers the base plan skips (keeps "
                    + "dense, \"skip\": true): " + skipped + "; no sample changes skip, so their settings would change "
                    + "nothing: drop those spaces, or the layers' skip from the plan");
        }
        // searched slice settings take the values that cannot fail the slice-height rule, so that a search some of
        // whose candidates pass is not refused (the candidates that fail, fail alone)
        SdConverter.checkPlan(net, plan(SdHyperparameterSpace::lenientValues, SdHyperparameterSpace::fixedValue));
    }

    /** @return the plan the samples are put into */
    public ConversionPlan getBase() {
        return base;
    }

    /** @return the space applied to the defaults and every override, or null */
    public SdHyperparameterSpace getDefaults() {
        return defaults;
    }

    /** @return the per-layer spaces, by layer name, in the order they were added (unmodifiable) */
    public Map<String, SdHyperparameterSpace> getLayers() {
        return layers;
    }

    /** @return the density-target space applied to the defaults and every override, or null */
    public ParameterSpace<Double> getDensity() {
        return density;
    }

    /** @return the per-layer density-target spaces, by layer name, in the order they were added (unmodifiable) */
    public Map<String, ParameterSpace<Double>> getLayerDensities() {
        return layerDensities;
    }

    /**
     * How many distinct plans the space holds when every searched setting is a list of values (the product of the
     * lists' lengths, so a list must not repeat a value; fixed values count once), or -1 when a setting is a range.
     *
     * @return the number of settings, or -1 for a space with a continuous setting (or more than a long holds)
     */
    public long distinctSettings() {
        long n = 1;
        for (Object leaf : LeafUtils.getUniqueObjects(collectLeaves())) {
            if (leaf instanceof org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace<?> d) {
                if (n > Long.MAX_VALUE / Math.max(1, d.numValues())) {
                    return -1; // more settings than a long counts: as good as unbounded
                }
                n *= d.numValues();
            } else if (!(leaf instanceof org.deeplearning4j.arbiter.optimize.parameter.FixedValue<?>)) {
                return -1;
            }
        }
        return n;
    }

    /** The number of distinct searched leaves. */
    @Override
    public int numParameters() {
        return LeafUtils.countUniqueParameters(collectLeaves());
    }

    /** The leaves of the nested spaces, in the order of {@link #getNestedSpaces()}. */
    @Override
    @SuppressWarnings("rawtypes") // Arbiter's ParameterSpace.collectLeaves returns a raw List<ParameterSpace>
    public List<ParameterSpace> collectLeaves() {
        return SdHyperparameterSpace.leavesOf(getNestedSpaces());
    }

    /**
     * The nested spaces: {@code "defaults"}, {@code "density"}, then {@code "layers.NAME"} and
     * {@code "layerDensities.NAME"} for each layer (Arbiter's reflection would not see the maps' entries).
     */
    @Override
    @SuppressWarnings("rawtypes") // Arbiter's signature
    public Map<String, ParameterSpace> getNestedSpaces() {
        Map<String, ParameterSpace> m = new LinkedHashMap<>();
        if (defaults != null) {
            m.put("defaults", defaults);
        }
        if (density != null) {
            m.put("density", density);
        }
        layers.forEach((name, space) -> m.put("layers." + name, space));
        layerDensities.forEach((name, space) -> m.put("layerDensities." + name, space));
        return m;
    }

    /** False: the SD spaces are the nested spaces. */
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
        throw new UnsupportedOperationException("ConversionPlanSpace is not a leaf; Arbiter indexes its leaves");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConversionPlanSpace s && base.equals(s.base) && Objects.equals(defaults, s.defaults)
                && Objects.equals(density, s.density) && layers.equals(s.layers)
                && layerDensities.equals(s.layerDensities);
    }

    @Override
    public int hashCode() {
        return Objects.hash(base, defaults, density, layers, layerDensities);
    }

    @Override
    public String toString() {
        return "ConversionPlanSpace(defaults=" + defaults + ", density=" + density + ", layers=" + layers
                + ", layerDensities=" + layerDensities + ")";
    }

    /** Builder: a base plan, an optional defaults space and optional per-layer spaces. */
    public static final class Builder {
        private final ConversionPlan base;
        private SdHyperparameterSpace defaults;
        private ParameterSpace<Double> density;
        private final Map<String, SdHyperparameterSpace> layers = new LinkedHashMap<>();
        private final Map<String, ParameterSpace<Double>> layerDensities = new LinkedHashMap<>();

        /**
         * @param base the plan the samples are put into ({@link ConversionPlan#defaultPlan()}, a shipped plan or the
         *             user's); not modified
         * @throws IllegalArgumentException if {@code base} is null
         */
        public Builder(ConversionPlan base) {
            if (base == null) {
                throw new IllegalArgumentException("ConversionPlanSpace.base must be a ConversionPlan, got null "
                        + "(use ConversionPlan.defaultPlan() for the defaults)");
            }
            this.base = base;
        }

        /**
         * The space whose samples go into the plan's defaults and into every per-layer override of the base plan
         * (a second call replaces the first).
         *
         * @throws IllegalArgumentException if {@code space} is null
         */
        public Builder defaults(SdHyperparameterSpace space) {
            if (space == null) {
                throw new IllegalArgumentException("ConversionPlanSpace.defaults must be an SdHyperparameterSpace, got "
                        + "null (leave it unset to keep the base plan's defaults)");
            }
            this.defaults = space;
            return this;
        }

        /**
         * A space of C density targets in [0, 1] (0 = off; a second call replaces the first) set in the plan's
         * defaults and in every override of the
         * base plan: the converter then searches each layer's threshold for that density (ALGORITHMS.md's fixed
         * threshold is replaced), so a density overrides any theta, sampled or not. Sampled values outside [0, 1]
         * fail their candidate.
         *
         * @throws IllegalArgumentException if {@code space} is null
         */
        public Builder density(ParameterSpace<Double> space) {
            if (space == null) {
                throw new IllegalArgumentException("ConversionPlanSpace.density must be a ParameterSpace, got null (leave "
                        + "it unset to keep the base plan's thresholds)");
            }
            this.density = SdHyperparameterSpace.gridSafe("ConversionPlanSpace.density", space);
            return this;
        }

        /**
         * A density-target space for one layer, applied last (after every SD setting and the defaults' density).
         *
         * @param layerName the layer's name in the network
         * @param space     its density targets, in [0, 1]
         * @throws IllegalArgumentException if the name is blank or already has a density space, or the space is null
         */
        public Builder layerDensity(String layerName, ParameterSpace<Double> space) {
            checkLayer("layerDensity", layerName, space, layerDensities);
            layerDensities.put(layerName, SdHyperparameterSpace.gridSafe("ConversionPlanSpace.layerDensity(" + layerName
                    + ")", space));
            return this;
        }

        private static void checkLayer(String method, String layerName, Object space, Map<String, ?> taken) {
            if (layerName == null || layerName.isBlank()) {
                throw new IllegalArgumentException("ConversionPlanSpace." + method + ": the layer name must not be blank, "
                        + "got '" + layerName + "'");
            }
            if (space == null) {
                throw new IllegalArgumentException("ConversionPlanSpace." + method + "(" + layerName + "): space must not "
                        + "be null");
            }
            if (taken.containsKey(layerName)) {
                throw new IllegalArgumentException("ConversionPlanSpace." + method + "(" + layerName + "): the layer "
                        + "already has a space; give each layer one");
            }
        }

        /**
         * A space for one layer, applied after the defaults space.
         *
         * @param layerName the layer's name in the network (DL4J's layer name, as in plan JSON)
         * @param space     its settings
         * @throws IllegalArgumentException if the name is blank or already has a space, or the space is null
         */
        public Builder layer(String layerName, SdHyperparameterSpace space) {
            checkLayer("layer", layerName, space, layers);
            layers.put(layerName, space);
            return this;
        }

        /** @return the space */
        public ConversionPlanSpace build() {
            return new ConversionPlanSpace(this);
        }
    }
}
