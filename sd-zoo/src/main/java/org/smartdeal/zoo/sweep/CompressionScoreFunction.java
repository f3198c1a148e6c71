package org.smartdeal.zoo.sweep;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Arbiter score of a {@link ConversionCandidate} (minimised): the largest gain that keeps the accuracy drop
 * within a bound. The gain is the {@link Objective}'s: the paper's compression ratio, or the energy the dense
 * network costs over the candidate's.
 *
 * <ul>
 *   <li>drop = baseline accuracy - candidate accuracy (fractions, both on the same validation data);</li>
 *   <li>drop &lt;= maxDrop (with {@link #DROP_TOLERANCE}): score = -gain (below 0), so among candidates that keep
 *       the accuracy the largest gain wins;</li>
 *   <li>drop &gt; maxDrop: score = drop - maxDrop (&gt; 0), so every candidate within the bound beats every one
 *       outside it, and among those outside the smallest drop wins.</li>
 * </ul>
 * The score ties candidates of equal gain within the bound, and of equal drop outside it; {@link #ranking()} breaks
 * those ties (the smaller drop, the larger gain) and is what a sweep chooses its best candidate by.
 * The score needs no data: the candidate carries its accuracy ({@link ConversionTaskCreator} measures it).
 * Arbiter's JSON writes it but cannot read it back (no creator), as with {@link ConversionPlanSpace}: keep a
 * conversion search's configuration in code.
 */
public final class CompressionScoreFunction implements ScoreFunction {

    private static final long serialVersionUID = 1L;

    /** What a candidate gains over the dense network. */
    public enum Objective {
        /** The paper's compression ratio: dense 32-bit weight bits / stored SD bits ({@link ConversionCandidate#paperCR}). */
        PAPER_CR,
        /** Energy: the dense network's price / the candidate's ({@link ConversionCandidate#energyPj}). */
        ENERGY
    }

    private final double baselineAccuracy;
    private final double maxDrop;
    private final Objective objective;
    private final double baselineEnergyPj;

    /**
     * The paper-CR objective.
     *
     * @param baselineAccuracy the dense network's accuracy on the validation data, in [0, 1]
     * @param maxDrop          the largest accuracy drop allowed, as a fraction in [0, 1] (0.01 = one point)
     * @throws IllegalArgumentException naming the argument, range and value
     */
    public CompressionScoreFunction(double baselineAccuracy, double maxDrop) {
        this(baselineAccuracy, maxDrop, Objective.PAPER_CR, Double.NaN);
    }

    /**
     * @param baselineAccuracy the dense network's accuracy on the validation data, in [0, 1]
     * @param maxDrop          the largest accuracy drop allowed, as a fraction in [0, 1] (0.01 = one point)
     * @param objective        what a candidate gains
     * @param baselineEnergyPj the dense network's price in pJ (finite, &gt; 0) for {@link Objective#ENERGY}; ignored
     *                         (may be NaN) for {@link Objective#PAPER_CR}
     * @throws IllegalArgumentException naming the argument, range and value
     */
    public CompressionScoreFunction(double baselineAccuracy, double maxDrop, Objective objective,
            double baselineEnergyPj) {
        if (objective == null) {
            throw new IllegalArgumentException("CompressionScoreFunction.objective must be PAPER_CR or ENERGY, got null");
        }
        if (objective == Objective.ENERGY && (!(baselineEnergyPj > 0) || Double.isInfinite(baselineEnergyPj))) {
            throw new IllegalArgumentException("CompressionScoreFunction.baselineEnergyPj must be finite and > 0 for the "
                    + "ENERGY objective, got " + baselineEnergyPj);
        }
        this.objective = objective;
        this.baselineEnergyPj = baselineEnergyPj;
        if (!(baselineAccuracy >= 0 && baselineAccuracy <= 1)) {
            throw new IllegalArgumentException("CompressionScoreFunction.baselineAccuracy must be in [0, 1], got "
                    + baselineAccuracy);
        }
        if (!(maxDrop >= 0 && maxDrop <= 1)) {
            throw new IllegalArgumentException("CompressionScoreFunction.maxDrop must be a fraction in [0, 1] (0.01 = "
                    + "one accuracy point), got " + maxDrop);
        }
        this.baselineAccuracy = baselineAccuracy;
        this.maxDrop = maxDrop;
    }

    /** @return the baseline accuracy the drop is measured from */
    public double baselineAccuracy() {
        return baselineAccuracy;
    }

    /** @return the largest drop allowed (a fraction) */
    public double maxDrop() {
        return maxDrop;
    }

    /** @return what a candidate gains */
    public Objective objective() {
        return objective;
    }

    /** @return the dense network's price (pJ), NaN for the paper-CR objective */
    public double baselineEnergyPj() {
        return baselineEnergyPj;
    }

    /**
     * @return the candidate's gain under the objective: its paper CR, or the dense network's price over its own (NaN
     *     for a failed or unpriced candidate)
     */
    public double gain(ConversionCandidate c) {
        return objective == Objective.PAPER_CR ? c.paperCR() : baselineEnergyPj / c.energyPj();
    }

    /** @return baseline accuracy - the candidate's accuracy (NaN for a failed candidate) */
    public double drop(ConversionCandidate c) {
        return baselineAccuracy - c.accuracy();
    }

    /**
     * Allowance in comparing a drop with the bound: accuracies are fractions of a finite example count, and their
     * difference carries rounding (0.8928 - 0.8848 = 0.008000000000000007), so a drop exactly at the bound counts
     * as within it.
     */
    public static final double DROP_TOLERANCE = 1e-9;

    /** @return whether the candidate was scored and its drop is within the bound (see {@link #DROP_TOLERANCE}) */
    public boolean withinDrop(ConversionCandidate c) {
        return c.ok() && drop(c) <= maxDrop + DROP_TOLERANCE;
    }

    /**
     * @param c a scored candidate
     * @return the score (lower is better), as the class documentation says; NaN for a failed candidate
     */
    public double score(ConversionCandidate c) {
        if (!c.ok()) {
            return Double.NaN;
        }
        double drop = drop(c);
        return withinDrop(c) ? -gain(c) : drop - maxDrop;
    }

    /**
     * The order a sweep chooses its best candidate by, best first; it refines {@link #score(ConversionCandidate)},
     * whose ties it breaks:
     * <ol>
     *   <li>a scored candidate before a failed one;</li>
     *   <li>within the drop bound ({@link #withinDrop}) before outside it;</li>
     *   <li>within the bound: the larger gain, then, of equal gains, the smaller drop;</li>
     *   <li>outside the bound: the smaller drop, then, of equal drops, the larger gain.</li>
     * </ol>
     * Gains and drops are compared exactly (equal accuracies on the same examples give equal drops); a NaN gain (an
     * unpriced candidate) counts as the smallest. Candidates equal in all of these compare as equal: a sweep then
     * keeps the one it ran first.
     *
     * @return the comparator (negative: the first argument is better)
     */
    public java.util.Comparator<ConversionCandidate> ranking() {
        return (a, b) -> {
            if (a.ok() != b.ok()) {
                return a.ok() ? -1 : 1;
            }
            if (!a.ok()) {
                return 0;
            }
            boolean aWithin = withinDrop(a);
            if (aWithin != withinDrop(b)) {
                return aWithin ? -1 : 1;
            }
            // larger gain first: compare b's with a's; the smaller drop first: a's with b's
            int byGain = Double.compare(gainForRanking(b), gainForRanking(a));
            int byDrop = Double.compare(drop(a), drop(b));
            return aWithin ? (byGain != 0 ? byGain : byDrop) : (byDrop != 0 ? byDrop : byGain);
        };
    }

    /** The gain, NaN as the smallest (Double.compare would order NaN above every number). */
    private double gainForRanking(ConversionCandidate c) {
        double g = gain(c);
        return Double.isNaN(g) ? Double.NEGATIVE_INFINITY : g;
    }

    @Override
    @SuppressWarnings("deprecation") // Arbiter's ScoreFunction declares this deprecated DataProvider form
    public double score(Object model, DataProvider dataProvider, Map<String, Object> dataParameters) {
        return score(candidate(model));
    }

    @Override
    public double score(Object model, Class<? extends DataSource> dataSource, Properties dataSourceProperties) {
        return score(candidate(model));
    }

    private static ConversionCandidate candidate(Object model) {
        if (model instanceof ConversionCandidate c) {
            return c;
        }
        throw new IllegalArgumentException("CompressionScoreFunction scores a ConversionCandidate (from "
                + "ConversionTaskCreator), got " + (model == null ? null : model.getClass().getName()));
    }

    /** @return true: lower scores are better */
    @Override
    public boolean minimize() {
        return true;
    }

    @Override
    public List<Class<?>> getSupportedModelTypes() {
        return List.of(ConversionCandidate.class);
    }

    @Override
    public List<Class<?>> getSupportedDataTypes() {
        return List.of(DataSetIterator.class);
    }

    @Override
    public String toString() {
        return "CompressionScoreFunction(baselineAccuracy=" + baselineAccuracy + ", maxDrop=" + maxDrop + ", objective="
                + objective + (objective == Objective.ENERGY ? ", baselineEnergyPj=" + baselineEnergyPj : "") + ")";
    }
}
