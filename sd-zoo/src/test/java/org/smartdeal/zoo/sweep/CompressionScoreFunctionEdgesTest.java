package org.smartdeal.zoo.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.smartdeal.zoo.convert.ConversionPlan;

/**
 * {@link CompressionScoreFunction} and {@link ConversionCandidate} alone, on candidates whose figures are set by
 * hand: every argument at the ends of its documented range and one step beyond, the score and the ranking by the
 * class Javadoc's rules, the Arbiter entry points. Cases no earlier test checked, written from the class Javadoc (a
 * mutation-testing run meant to list them did not finish; docs/RESULTS.md 8).
 */
class CompressionScoreFunctionEdgesTest {

    private static final CompressionScoreFunction.Objective CR = CompressionScoreFunction.Objective.PAPER_CR;
    private static final CompressionScoreFunction.Objective ENERGY = CompressionScoreFunction.Objective.ENERGY;

    /** A working candidate: a paper CR, an accuracy of {@code correct} of 1000 examples and a price. */
    private static ConversionCandidate scored(int index, double paperCR, int correct, double energyPj) {
        return new ConversionCandidate(index, ConversionPlan.defaultPlan(), null, paperCR, paperCR, new byte[5],
                correct / 1000.0, 0.3, 1000, -1, energyPj, 1, null, null);
    }

    private static String refused(double accuracy, double maxDrop, CompressionScoreFunction.Objective o, double energy) {
        return assertThrows(IllegalArgumentException.class,
                () -> new CompressionScoreFunction(accuracy, maxDrop, o, energy)).getMessage();
    }

    /** Accuracy and drop bound in [0, 1] (both ends accepted, the doubles next to them and NaN refused). */
    @Test
    void theBaselineAndTheBoundAreFractionsInZeroToOne() {
        for (double v : new double[] {0, 1}) {
            assertEquals(v, new CompressionScoreFunction(v, 0.01).baselineAccuracy(), 0);
            assertEquals(v, new CompressionScoreFunction(0.9, v).maxDrop(), 0);
        }
        assertEquals("CompressionScoreFunction.baselineAccuracy must be in [0, 1], got -4.9E-324",
                refused(Math.nextDown(0.0), 0.01, CR, Double.NaN));
        assertEquals("CompressionScoreFunction.baselineAccuracy must be in [0, 1], got 1.0000000000000002",
                refused(Math.nextUp(1.0), 0.01, CR, Double.NaN));
        assertEquals("CompressionScoreFunction.baselineAccuracy must be in [0, 1], got NaN",
                refused(Double.NaN, 0.01, CR, Double.NaN));
        assertEquals("CompressionScoreFunction.maxDrop must be a fraction in [0, 1] (0.01 = one accuracy point), got "
                + "-4.9E-324", refused(0.9, Math.nextDown(0.0), CR, Double.NaN));
        assertEquals("CompressionScoreFunction.maxDrop must be a fraction in [0, 1] (0.01 = one accuracy point), got "
                + "1.0000000000000002", refused(0.9, Math.nextUp(1.0), CR, Double.NaN));
        assertEquals("CompressionScoreFunction.maxDrop must be a fraction in [0, 1] (0.01 = one accuracy point), got "
                + "NaN", refused(0.9, Double.NaN, CR, Double.NaN));
        assertEquals("CompressionScoreFunction.objective must be PAPER_CR or ENERGY, got null",
                refused(0.9, 0.01, null, 1));
    }

    /**
     * ENERGY needs a dense price that is finite and &gt; 0 (Double.MIN_VALUE is the smallest accepted); PAPER_CR
     * ignores it, NaN or negative. The getters give the constructor's values.
     */
    @Test
    void theEnergyObjectiveNeedsAFinitePositiveDensePrice() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertEquals("CompressionScoreFunction.baselineEnergyPj must be finite and > 0 for the ENERGY objective, got "
                    + bad, refused(0.9, 0.01, ENERGY, bad));
        }
        CompressionScoreFunction tiny = new CompressionScoreFunction(0.9, 0.01, ENERGY, Double.MIN_VALUE);
        assertEquals(Double.MIN_VALUE, tiny.baselineEnergyPj(), 0);
        assertEquals(ENERGY, tiny.objective());
        CompressionScoreFunction cr = new CompressionScoreFunction(0.9, 0.01, CR, -5);
        assertEquals(-5, cr.baselineEnergyPj(), 0, "ignored, kept");
        assertEquals(CR, cr.objective());
        assertTrue(Double.isNaN(new CompressionScoreFunction(0.9, 0.01).baselineEnergyPj()));
        assertEquals("CompressionScoreFunction(baselineAccuracy=0.9, maxDrop=0.01, objective=PAPER_CR)",
                new CompressionScoreFunction(0.9, 0.01).toString());
        assertEquals("CompressionScoreFunction(baselineAccuracy=0.9, maxDrop=0.01, objective=ENERGY, "
                + "baselineEnergyPj=1000.0)", new CompressionScoreFunction(0.9, 0.01, ENERGY, 1000).toString());
    }

    /**
     * By hand: baseline 900 of 1000, bound 0.02. A candidate at 890 (drop 0.01) scores -gain (-20 for a paper CR of
     * 20; -4 for the energy 1000 pJ / 250 pJ); at 870 (drop 0.03) it scores drop - bound = 0.01; a failed candidate
     * scores NaN and is never within the bound.
     */
    @Test
    @SuppressWarnings("deprecation") // Arbiter's DataProvider entry point is tested too
    void theScoreIsMinusTheGainWithinTheBoundAndTheExcessOutside() {
        CompressionScoreFunction cr = new CompressionScoreFunction(0.9, 0.02);
        CompressionScoreFunction energy = new CompressionScoreFunction(0.9, 0.02, ENERGY, 1000);
        ConversionCandidate within = scored(0, 20, 890, 250);
        ConversionCandidate outside = scored(1, 40, 870, 100);
        assertEquals(0.01, cr.drop(within), 1e-12);
        assertEquals(20, cr.gain(within), 0);
        assertEquals(4, energy.gain(within), 0);
        assertEquals(-20, cr.score(within), 0);
        assertEquals(-4, energy.score(within), 0);
        assertEquals(0.01, cr.score(outside), 1e-12);
        assertEquals(0.01, energy.score(outside), 1e-12);
        ConversionCandidate failed = ConversionCandidate.failed(2, null, 0, ConversionCandidate.Failure.SETTINGS, "x");
        assertTrue(Double.isNaN(cr.score(failed)));
        assertFalse(cr.withinDrop(failed));
        assertTrue(Double.isNaN(cr.drop(failed)));
        // Arbiter's two entry points score the candidate the same way, and refuse anything else by its class
        assertEquals(-20, cr.score(within, (org.deeplearning4j.arbiter.optimize.api.data.DataProvider) null,
                Map.of()), 0);
        assertEquals(-20, cr.score(within, (Class<? extends org.deeplearning4j.arbiter.optimize.api.data.DataSource>)
                null, new Properties()), 0);
        assertEquals("CompressionScoreFunction scores a ConversionCandidate (from ConversionTaskCreator), got "
                + "java.lang.String", assertThrows(IllegalArgumentException.class, () -> cr.score("net",
                        (org.deeplearning4j.arbiter.optimize.api.data.DataProvider) null, Map.of())).getMessage());
        assertEquals("CompressionScoreFunction scores a ConversionCandidate (from ConversionTaskCreator), got null",
                assertThrows(IllegalArgumentException.class, () -> cr.score(null,
                        (Class<? extends org.deeplearning4j.arbiter.optimize.api.data.DataSource>) null, null))
                        .getMessage());
        assertTrue(cr.minimize());
        assertEquals(List.of(ConversionCandidate.class), cr.getSupportedModelTypes());
        assertEquals(List.of(DataSetIterator.class), cr.getSupportedDataTypes());
    }

    /**
     * The ranking's rules one by one (CompressionScoreFunction.ranking): a scored candidate before a failed one,
     * two failed ones equal, within before outside whatever the gains, and under ENERGY an unpriced candidate's NaN
     * gain as the smallest (Double.compare alone would put NaN above every number).
     */
    @Test
    void theRankingPutsFailedLastAndAnUnpricedGainBelowEveryPrice() {
        CompressionScoreFunction energy = new CompressionScoreFunction(0.9, 0.02, ENERGY, 1000);
        java.util.Comparator<ConversionCandidate> r = energy.ranking();
        ConversionCandidate failed = ConversionCandidate.failed(0, null, 0, ConversionCandidate.Failure.SETTINGS, "x");
        ConversionCandidate failed2 = ConversionCandidate.failed(1, null, 0, ConversionCandidate.Failure.INTERNAL,
                "internal error: y");
        ConversionCandidate priced = scored(2, 10, 890, 2000);
        ConversionCandidate unpriced = scored(3, 50, 890, Double.NaN);
        ConversionCandidate outside = scored(4, 80, 870, 10);
        assertEquals(-1, r.compare(priced, failed));
        assertEquals(1, r.compare(failed, priced));
        assertEquals(0, r.compare(failed, failed2));
        assertTrue(r.compare(priced, unpriced) < 0, "gain 0.5 beats no gain");
        assertTrue(r.compare(unpriced, priced) > 0);
        assertTrue(r.compare(unpriced, outside) < 0, "within the bound first, whatever the gains");
        assertEquals(-1, r.compare(priced, outside));
        assertEquals(1, r.compare(outside, priced));
        assertEquals(0, r.compare(priced, scored(5, 99, 890, 2000)), "equal gain and drop: equal (the CR is not the gain)");
        assertEquals(2, ConversionSweep.bestPosition(energy, List.of(failed, unpriced, priced, outside)));
    }

    /**
     * The ties of the ranking, by hand (baseline 900 of 1000, bound 0.02): within the bound two candidates of paper
     * CR 20 at 890 and 880 (drops 0.01, 0.02) rank by the smaller drop; outside it two of drop 0.03 (870) with CRs
     * 40 and 30 rank by the larger gain. A drop of exactly the bound is within it (880: 0.9 - 0.88 is 0.02000...0018
     * in doubles, inside the 1e-9 tolerance), one of 0.021 (879) is not.
     */
    @Test
    void tiesAreBrokenByTheDropWithinTheBoundAndByTheGainOutsideIt() {
        CompressionScoreFunction cr = new CompressionScoreFunction(0.9, 0.02);
        java.util.Comparator<ConversionCandidate> r = cr.ranking();
        ConversionCandidate smallDrop = scored(0, 20, 890, 1), boundDrop = scored(1, 20, 880, 1);
        assertTrue(cr.withinDrop(boundDrop), "a drop of exactly maxDrop is within it");
        assertFalse(cr.withinDrop(scored(2, 20, 879, 1)));
        assertEquals(-1, r.compare(smallDrop, boundDrop));
        assertEquals(1, r.compare(boundDrop, smallDrop));
        ConversionCandidate outsideBig = scored(3, 40, 870, 1), outsideSmall = scored(4, 30, 870, 1);
        assertEquals(-1, r.compare(outsideBig, outsideSmall));
        assertEquals(1, r.compare(outsideSmall, outsideBig));
        // the first key decides even when the second disagrees: within, CR 30 at drop 0.02 before CR 20 at 0.01;
        // outside, drop 0.03 with CR 10 before drop 0.04 with CR 40
        assertTrue(r.compare(scored(5, 30, 880, 1), smallDrop) < 0, "within: the larger gain first");
        assertTrue(r.compare(scored(6, 10, 870, 1), scored(7, 40, 860, 1)) < 0, "outside: the smaller drop first");
    }

    /** A failed candidate: no figures, the kind and error both set (null refused for either, by name). */
    @Test
    void aFailedCandidateHasNoFiguresAndNeedsItsKindAndError() {
        ConversionCandidate f = ConversionCandidate.failed(4, ConversionPlan.defaultPlan(), 2.5,
                ConversionCandidate.Failure.INTERNAL, ConversionCandidate.INTERNAL_ERROR + "boom");
        assertTrue(f.internalError());
        assertFalse(f.ok());
        assertEquals(0, f.sdmBytes());
        assertEquals(0, f.examples());
        assertEquals(-1, f.rtBestEpoch());
        assertEquals(2.5, f.seconds(), 0);
        assertTrue(Double.isNaN(f.paperCR()) && Double.isNaN(f.fileCR()) && Double.isNaN(f.accuracy())
                && Double.isNaN(f.loss()) && Double.isNaN(f.energyPj()));
        assertEquals(5, scored(0, 1, 1, 1).sdmBytes());
        assertTrue(scored(0, 1, 1, 1).ok());
        assertFalse(scored(0, 1, 1, 1).internalError());
        assertFalse(ConversionCandidate.failed(1, null, 0, ConversionCandidate.Failure.SETTINGS, "x").internalError());
        assertEquals("ConversionCandidate.failed failure", assertThrows(NullPointerException.class,
                () -> ConversionCandidate.failed(1, null, 0, null, "x")).getMessage());
        assertEquals("ConversionCandidate.failed error", assertThrows(NullPointerException.class,
                () -> ConversionCandidate.failed(1, null, 0, ConversionCandidate.Failure.SETTINGS, null)).getMessage());
        assertEquals("ConversionCandidate 1: error and failure must be both null or both set, got error null and "
                + "failure DIVERGED", assertThrows(IllegalArgumentException.class, () -> new ConversionCandidate(1, null,
                        null, 1, 1, null, 1, 1, 1, -1, 1, 0, null, ConversionCandidate.Failure.DIVERGED)).getMessage());
    }
}
