package org.smartdeal.zoo.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.junit.jupiter.api.Test;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.LayerPlan;

/**
 * {@link ConversionPlanSpace} alone, without a sweep: how a sample goes into the plan (every field of the class
 * Javadoc's rules), the count of distinct settings, the nested spaces Arbiter indexes, equality and the builder's
 * refusals. Cases no earlier test checked, written from the class Javadoc (a mutation-testing run meant to list them
 * did not finish; docs/RESULTS.md 8); {@code ConversionSweepTest} runs whole sweeps over a few of these paths.
 */
class ConversionPlanSpaceEdgesTest {

    /** A base plan with an override of every field a sample does not touch, to see them kept. */
    private static final ConversionPlan BASE = ConversionPlan.fromJson("{\"defaults\": {\"theta\": 0.004, "
            + "\"density\": 0.5, \"maxIter\": 7, \"tol\": 0.001}, \"layers\": {\"fc1\": {\"sliceRows\": 8, "
            + "\"structuredRatio\": 0.25, \"bnGammaThreshold\": 0.125}, \"fc2\": {\"skip\": true}}}");

    private static Double[] values(int n, double first) {
        Double[] v = new Double[n];
        for (int i = 0; i < n; i++) {
            v[i] = first + i;
        }
        return v;
    }

    /**
     * A fixed sample of every SD setting reaches the defaults and each override of the base plan (maxCoeff and
     * basisWidth included); the fields a space does not sample (maxIter, tol, structuredRatio, bnGammaThreshold,
     * skip) stay the base plan's, and a sampled theta clears the density target (class Javadoc).
     */
    @Test
    void aSampleSetsItsFourFieldsEverywhereAndKeepsTheOthers() {
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(BASE)
                .defaults(new SdHyperparameterSpace.Builder().theta(0.02).sliceRows(12).basisWidth(4).maxCoeff(8.0)
                        .build())
                .build();
        ConversionPlan p = space.getValue(new double[0]);
        for (LayerPlan l : List.of(p.defaults(), p.settingsFor("fc1"), p.settingsFor("fc2"))) {
            assertEquals(0.02, l.theta(), 0, l.layer());
            assertEquals(12, l.sliceRows(), l.layer());
            assertEquals(4, l.basisWidth(), l.layer());
            assertEquals(8.0, l.maxCoeff(), 0, l.layer());
            assertEquals(0, l.density(), 0, l.layer() + ": a sampled theta clears the density target");
            assertEquals(7, l.maxIter(), l.layer());
            assertEquals(0.001, l.tol(), 0, l.layer());
        }
        assertEquals(0.25, p.settingsFor("fc1").structuredRatio(), 0);
        assertEquals(0.125, p.settingsFor("fc1").bnGammaThreshold(), 0);
        assertTrue(p.settingsFor("fc2").skip());
        assertFalse(p.settingsFor("fc1").skip());
        assertEquals(p, space.fixedPlan(), "every setting fixed: the candidate is the fixed plan");
    }

    /**
     * A space that sets no theta keeps the base plan's thresholds and density targets (0.004 and 0.5 here), and a
     * space without any SD field keeps the base plan whole.
     */
    @Test
    void withoutASampledThetaTheDensityTargetStays() {
        ConversionPlan p = new ConversionPlanSpace.Builder(BASE)
                .defaults(new SdHyperparameterSpace.Builder().sliceRows(12).build()).build().getValue(new double[0]);
        assertEquals(0.5, p.defaults().density(), 0);
        assertEquals(0.004, p.defaults().theta(), 0);
        assertEquals(0.5, p.settingsFor("fc1").density(), 0);
        assertEquals(3, p.defaults().basisWidth(), "unsampled: the base plan's");
        assertEquals(32.0, p.defaults().maxCoeff(), 0, "unsampled: the base plan's");
        assertEquals(BASE, new ConversionPlanSpace.Builder(BASE).build().getValue(new double[0]));
        assertEquals(BASE, new ConversionPlanSpace.Builder(BASE).defaults(new SdHyperparameterSpace.Builder().build())
                .build().getValue(new double[0]));
    }

    /**
     * A per-layer space for a layer the base plan has no override for starts from the new defaults (its density
     * target included), and a per-layer density comes after the layer's own space. Sampled thresholds and densities
     * are kept to 12 significant digits: 0.1 + 0.2 (0.30000000000000004 in doubles) becomes 0.3.
     */
    @Test
    void aLayerSpaceStartsFromTheNewDefaultsAndItsDensityComesLast() {
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(BASE)
                .density(new FixedValue<>(0.1 + 0.2))
                .layer("fc3", new SdHyperparameterSpace.Builder().sliceRows(24).build())
                .layer("fc4", new SdHyperparameterSpace.Builder().theta(0.1 + 0.2).build())
                .layerDensity("fc4", new FixedValue<>(0.25))
                .layerDensity("fc5", new FixedValue<>(0.75))
                .build();
        ConversionPlan p = space.getValue(new double[0]);
        assertEquals(0.3, p.defaults().density(), 0, "tidied to 12 digits");
        LayerPlan fc3 = p.settingsFor("fc3");
        assertEquals("fc3", fc3.layer());
        assertEquals(24, fc3.sliceRows());
        assertEquals(0.3, fc3.density(), 0, "from the new defaults");
        LayerPlan fc4 = p.settingsFor("fc4");
        assertEquals(0.3, fc4.theta(), 0, "tidied to 12 digits");
        assertEquals(0.25, fc4.density(), 0, "the layer's density after its theta");
        assertEquals(0.75, p.settingsFor("fc5").density(), 0);
        assertEquals(192, p.settingsFor("fc5").sliceRows());
        assertEquals(java.util.Set.of("fc1", "fc2", "fc3", "fc4", "fc5"), p.overrides().keySet());
    }

    /** tidy: 12 significant digits; 0, infinities and NaN as they are (BigDecimal cannot hold the last three). */
    @Test
    void tidyKeepsTwelveDigitsAndLeavesZeroAndNonFiniteValuesAlone() {
        assertEquals(0.016, ConversionPlanSpace.tidy(0.015999999999999997), 0);
        assertEquals(1.23456789012, ConversionPlanSpace.tidy(1.234567890123456), 0);
        assertEquals(0.0, ConversionPlanSpace.tidy(0.0), 0);
        assertEquals(Double.POSITIVE_INFINITY, ConversionPlanSpace.tidy(Double.POSITIVE_INFINITY), 0);
        assertEquals(Double.NEGATIVE_INFINITY, ConversionPlanSpace.tidy(Double.NEGATIVE_INFINITY), 0);
        assertTrue(Double.isNaN(ConversionPlanSpace.tidy(Double.NaN)));
        LayerPlan d = LayerPlan.DEFAULTS;
        assertSame(d, ConversionPlanSpace.with(d, null), "no sample: the plan itself");
    }

    /**
     * distinctSettings: the product of the lists' lengths (2 x 3 x 4 = 24 here, fixed values once), -1 with a range,
     * and -1 once the product would pass Long.MAX_VALUE (about 9.22e18): seven lists of 1000 values hold 10^21.
     * Six of them hold 10^18, which a long counts.
     */
    @Test
    void distinctSettingsMultipliesTheListsAndGivesUpPastALong() {
        ConversionPlanSpace lists = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(0.001, 0.002))
                        .sliceRows(new DiscreteParameterSpace<>(6, 12, 24)).basisWidth(3).build())
                .layerDensity("fc1", new DiscreteParameterSpace<>(0.1, 0.2, 0.3, 0.4))
                .build();
        assertEquals(24, lists.distinctSettings());
        assertEquals(3, lists.numParameters(), "three searched leaves; the fixed width is none");
        assertEquals(-1, new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .density(new ContinuousParameterSpace(0.1, 0.5)).build().distinctSettings());
        assertEquals(1, new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan()).build().distinctSettings());

        ConversionPlanSpace.Builder six = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(values(1000, 0)))
                        .maxCoeff(new DiscreteParameterSpace<>(values(1000, 0))).build())
                .density(new DiscreteParameterSpace<>(values(1000, 0)))
                .layer("a", new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(values(1000, 0)))
                        .maxCoeff(new DiscreteParameterSpace<>(values(1000, 0))).build())
                .layerDensity("a", new DiscreteParameterSpace<>(values(1000, 0)));
        assertEquals(1_000_000_000_000_000_000L, six.build().distinctSettings());
        assertEquals(-1, six.layerDensity("b", new DiscreteParameterSpace<>(values(1000, 0))).build()
                .distinctSettings());
    }

    /**
     * The nested spaces Arbiter indexes, in the documented order ("defaults", "density", then "layers.NAME" and
     * "layerDensities.NAME"); the space itself is not a leaf and cannot be indexed.
     */
    @Test
    @SuppressWarnings("rawtypes") // Arbiter's getNestedSpaces returns a raw map
    void theNestedSpacesAreNamedInOrderAndTheSpaceIsNoLeaf() {
        SdHyperparameterSpace d = new SdHyperparameterSpace.Builder().theta(new ContinuousParameterSpace(0.001, 0.01))
                .build();
        ParameterSpace<Double> density = new ContinuousParameterSpace(0.1, 0.5);
        SdHyperparameterSpace l = new SdHyperparameterSpace.Builder().sliceRows(new DiscreteParameterSpace<>(6, 12))
                .build();
        ParameterSpace<Double> ld = new DiscreteParameterSpace<>(0.2, 0.4);
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(BASE).defaults(d).density(density)
                .layer("fc1", l).layerDensity("fc2", ld).build();
        Map<String, ParameterSpace> nested = space.getNestedSpaces();
        assertEquals(List.of("defaults", "density", "layers.fc1", "layerDensities.fc2"), List.copyOf(nested.keySet()));
        assertSame(d, nested.get("defaults"));
        assertSame(density, nested.get("density"));
        assertSame(l, nested.get("layers.fc1"));
        assertSame(ld, nested.get("layerDensities.fc2"));
        assertEquals(4, space.collectLeaves().size());
        assertEquals(4, space.numParameters());
        assertFalse(space.isLeaf());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> space.setIndices(0));
        assertEquals("ConversionPlanSpace is not a leaf; Arbiter indexes its leaves", e.getMessage());
        // the getters give what was built
        assertSame(BASE, space.getBase());
        assertSame(d, space.getDefaults());
        assertSame(density, space.getDensity());
        assertEquals(Map.of("fc1", l), space.getLayers());
        assertEquals(Map.of("fc2", ld), space.getLayerDensities());
        assertThrows(UnsupportedOperationException.class, () -> space.getLayers().put("x", l));
        assertThrows(UnsupportedOperationException.class, () -> space.getLayerDensities().put("x", ld));
        ConversionPlanSpace bare = new ConversionPlanSpace.Builder(BASE).build();
        assertNull(bare.getDefaults());
        assertNull(bare.getDensity());
        assertEquals(Map.of(), bare.getNestedSpaces());
    }

    /** Equal when built from equal parts; each of the five parts on its own makes two spaces differ. */
    @Test
    void equalityIsByTheBaseAndTheFourKindsOfSpace() {
        java.util.function.Supplier<ConversionPlanSpace.Builder> b = () -> new ConversionPlanSpace.Builder(BASE)
                .defaults(new SdHyperparameterSpace.Builder().theta(0.01).build())
                .density(new DiscreteParameterSpace<>(0.2, 0.4))
                .layer("fc1", new SdHyperparameterSpace.Builder().sliceRows(6).build())
                .layerDensity("fc2", new FixedValue<>(0.3));
        ConversionPlanSpace a = b.get().build();
        assertEquals(a, b.get().build());
        assertEquals(a.hashCode(), b.get().build().hashCode());
        assertNotEquals(a, "a string");
        assertNotEquals(a, new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(a.getDefaults()).density(a.getDensity()).layer("fc1", a.getLayers().get("fc1"))
                .layerDensity("fc2", a.getLayerDensities().get("fc2")).build(), "another base");
        assertNotEquals(a, b.get().defaults(new SdHyperparameterSpace.Builder().theta(0.02).build()).build());
        assertNotEquals(a, b.get().density(new DiscreteParameterSpace<>(0.2, 0.5)).build());
        assertNotEquals(a, b.get().layer("fc3", new SdHyperparameterSpace.Builder().sliceRows(6).build()).build());
        assertNotEquals(a, b.get().layerDensity("fc3", new FixedValue<>(0.3)).build());
        assertEquals("ConversionPlanSpace(defaults=" + a.getDefaults() + ", density=" + a.getDensity() + ", layers="
                + a.getLayers() + ", layerDensities=" + a.getLayerDensities() + ")", a.toString());
    }

    /** The builder's refusals, each naming the method, the layer and what was wrong. */
    @Test
    void theBuilderRefusesNullsBlankNamesAndASecondSpaceForALayer() {
        assertEquals("ConversionPlanSpace.base must be a ConversionPlan, got null (use ConversionPlan.defaultPlan() "
                + "for the defaults)", assertThrows(IllegalArgumentException.class,
                        () -> new ConversionPlanSpace.Builder(null)).getMessage());
        ConversionPlanSpace.Builder b = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan());
        assertEquals("ConversionPlanSpace.defaults must be an SdHyperparameterSpace, got null (leave it unset to keep "
                + "the base plan's defaults)", assertThrows(IllegalArgumentException.class, () -> b.defaults(null))
                        .getMessage());
        assertEquals("ConversionPlanSpace.density must be a ParameterSpace, got null (leave it unset to keep the base "
                + "plan's thresholds)", assertThrows(IllegalArgumentException.class, () -> b.density(null))
                        .getMessage());
        SdHyperparameterSpace s = new SdHyperparameterSpace.Builder().build();
        assertEquals("ConversionPlanSpace.layer: the layer name must not be blank, got ' '",
                assertThrows(IllegalArgumentException.class, () -> b.layer(" ", s)).getMessage());
        assertEquals("ConversionPlanSpace.layer: the layer name must not be blank, got 'null'",
                assertThrows(IllegalArgumentException.class, () -> b.layer(null, s)).getMessage());
        assertEquals("ConversionPlanSpace.layer(fc1): space must not be null",
                assertThrows(IllegalArgumentException.class, () -> b.layer("fc1", null)).getMessage());
        assertEquals("ConversionPlanSpace.layerDensity(fc1): space must not be null",
                assertThrows(IllegalArgumentException.class, () -> b.layerDensity("fc1", null)).getMessage());
        b.layerDensity("fc1", new FixedValue<>(0.5));
        assertEquals("ConversionPlanSpace.layerDensity(fc1): the layer already has a space; give each layer one",
                assertThrows(IllegalArgumentException.class, () -> b.layerDensity("fc1", new FixedValue<>(0.4)))
                        .getMessage());
        b.layer("fc1", s); // a layer space and a density space for one layer are two kinds: both allowed
        assertEquals(Map.of("fc1", s), b.build().getLayers());
        assertThrows(IllegalArgumentException.class, () -> b.layerDensity("fc2",
                new DiscreteParameterSpace<>(0.5)), "a one-value list is refused for a layer's density too");
    }

    /**
     * checkLayersExist: the base plan's overrides and both kinds of per-layer space must name layers of the network;
     * the message lists the unknown ones sorted and the network's.
     */
    @Test
    void everyPerLayerSpaceMustNameALayerOfTheNetwork() {
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .layerDensity("zz", new FixedValue<>(0.5))
                .layer("fc9", new SdHyperparameterSpace.Builder().build())
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> space.checkLayersExist(List.of("fc1", "fc2")));
        assertEquals("ConversionPlanSpace has spaces for layers the network does not have: [fc9, zz]; the network's "
                + "layers are [fc1, fc2]", e.getMessage());
        space.checkLayersExist(List.of("fc9", "zz"));
        e = assertThrows(IllegalArgumentException.class,
                () -> new ConversionPlanSpace.Builder(BASE).build().checkLayersExist(List.of("fc1")));
        assertTrue(e.getMessage().startsWith("plan.layers names layers the network does not have: "), e.getMessage());
    }

    /**
     * checkAgainst, on the edge tests' 12-16-3 network (layers layer0, layer1): a space naming a layer the network
     * lacks is refused as such (not as a layer that is not converted); a base plan whose fixed slices are shorter than
     * its basis width fails the converter's own check for every candidate, and is refused before the search; the same
     * widths searched are accepted (a candidate may still pass).
     */
    @Test
    void checkAgainstRefusesUnknownLayersAndPlansNoCandidateCouldPass() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = ConversionSweepEdgesTest.untrained12x16x3();
        ConversionPlanSpace unknown = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .layer("nope", new SdHyperparameterSpace.Builder().build()).build();
        assertEquals("ConversionPlanSpace has spaces for layers the network does not have: [nope]; the network's "
                + "layers are [layer0, layer1]", assertThrows(IllegalArgumentException.class,
                        () -> unknown.checkAgainst(net)).getMessage());
        ConversionPlan shortSlices = ConversionPlan.fromJson("{\"defaults\": {\"sliceRows\": 2, \"basisWidth\": 3}}");
        ConversionPlanSpace fixed = new ConversionPlanSpace.Builder(shortSlices).build();
        assertEquals("plan for layer layer0: sliceRows must be >= basisWidth (3) for a DenseLayer, got 2",
                assertThrows(IllegalArgumentException.class, () -> fixed.checkAgainst(net)).getMessage());
        new ConversionPlanSpace.Builder(shortSlices).defaults(new SdHyperparameterSpace.Builder()
                .basisWidth(new DiscreteParameterSpace<>(1, 3)).build()).build().checkAgainst(net);
    }

    /**
     * A per-layer space on a layer the base plan skips is refused by checkAgainst: no sample changes {@code skip}
     * ({@link ConversionPlanSpace#with} keeps it), so the layer stays dense in every candidate and the candidates
     * differ in name only. Before, the check passed and a grid over three thetas for the skipped layer0 ran three
     * conversions with the same paper CR and accuracy (the table showed "layer0 dense" on each row).
     */
    @Test
    void checkAgainstRefusesSpacesOnLayersTheBasePlanSkips() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = ConversionSweepEdgesTest.untrained12x16x3();
        ConversionPlan skipsLayer0 = ConversionPlan.fromJson("{\"defaults\": {\"sliceRows\": 6, \"basisWidth\": 3}, "
                + "\"layers\": {\"layer0\": {\"skip\": true}}}");
        ConversionPlanSpace theta = new ConversionPlanSpace.Builder(skipsLayer0).layer("layer0",
                new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(0.001, 0.05, 0.3)).build()).build();
        // the samples do differ only in the skipped layer's unused theta: every candidate keeps it dense
        org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator grid =
                new org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator(theta, 3,
                        org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator.Mode.Sequential, null);
        while (grid.hasMoreCandidates()) {
            assertTrue(((ConversionPlan) grid.getCandidate().getValue()).settingsFor("layer0").skip());
        }
        String expected = "ConversionPlanSpace has spaces for layers the base plan skips (keeps dense, \"skip\": true): "
                + "[layer0]; no sample changes skip, so their settings would change nothing: drop those spaces, or the "
                + "layers' skip from the plan";
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> theta.checkAgainst(net)).getMessage());
        ConversionPlanSpace density = new ConversionPlanSpace.Builder(skipsLayer0)
                .layerDensity("layer0", new DiscreteParameterSpace<>(0.1, 0.2)).build();
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> density.checkAgainst(net)).getMessage());
        // the layer the plan converts may still have its own space
        new ConversionPlanSpace.Builder(skipsLayer0).layer("layer1", new SdHyperparameterSpace.Builder()
                .theta(new DiscreteParameterSpace<>(0.001, 0.05)).build()).build().checkAgainst(net);
    }

    /**
     * A base plan that skips every layer the network converts ("skip": true in its defaults) is refused by
     * checkAgainst: no sample changes skip, so every candidate would be the dense network. Before, the check passed and
     * a grid over thetas 0.01 and 0.02 ran two candidates that were both the dense 12-16-3 network (C density 0, paper
     * CR 1.00, the dense network's accuracy), the first chosen as "best".
     */
    @Test
    void checkAgainstRefusesABasePlanThatSkipsEveryConvertedLayer() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = ConversionSweepEdgesTest.untrained12x16x3();
        String expected = "ConversionPlanSpace: the base plan skips (keeps dense) every layer the network converts, "
                + "[layer0, layer1], and no sample changes skip, so every candidate would be the dense network: take skip "
                + "off the layers to search in the plan";
        for (String json : List.of("{\"defaults\": {\"skip\": true}}",
                "{\"layers\": {\"layer0\": {\"skip\": true}, \"layer1\": {\"skip\": true}}}")) {
            ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.fromJson(json))
                    .defaults(new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(0.01, 0.02))
                            .sliceRows(6).basisWidth(3).build())
                    .build();
            assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> space.checkAgainst(net))
                    .getMessage(), json);
        }
        // one layer left to convert is enough
        new ConversionPlanSpace.Builder(ConversionPlan.fromJson("{\"layers\": {\"layer0\": {\"skip\": true}}}"))
                .defaults(new SdHyperparameterSpace.Builder().theta(new DiscreteParameterSpace<>(0.01, 0.02)).sliceRows(6)
                        .basisWidth(3).build())
                .build().checkAgainst(net);
    }
}
