package org.smartdeal.zoo.sweep;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Arbiter score of a {@link ConversionCandidate} (minimised): the most compression that keeps the accuracy drop
 * within a bound.
 *
 * <ul>
 *   <li>drop = baseline accuracy - candidate accuracy (fractions, both on the same validation data);</li>
 *   <li>drop &lt;= maxDrop: score = -paperCR (at most -1), so among candidates that keep the accuracy the
 *       most compressed wins;</li>
 *   <li>drop &gt; maxDrop: score = drop - maxDrop (&gt; 0), so every candidate within the bound beats every one
 *       outside it, and among those outside the smallest drop wins.</li>
 * </ul>
 * The score needs no data: the candidate carries its accuracy ({@link ConversionTaskCreator} measures it).
 */
public final class CompressionScoreFunction implements ScoreFunction {

    private static final long serialVersionUID = 1L;

    private final double baselineAccuracy;
    private final double maxDrop;

    /**
     * @param baselineAccuracy the dense network's accuracy on the validation data, in [0, 1]
     * @param maxDrop          the largest accuracy drop allowed, as a fraction in [0, 1] (0.01 = one point)
     * @throws IllegalArgumentException naming the argument, range and value
     */
    public CompressionScoreFunction(double baselineAccuracy, double maxDrop) {
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

    /** @return baseline accuracy - the candidate's accuracy (NaN for a failed candidate) */
    public double drop(ConversionCandidate c) {
        return baselineAccuracy - c.accuracy();
    }

    /** @return whether the candidate was scored and its drop is within the bound */
    public boolean withinDrop(ConversionCandidate c) {
        return c.ok() && drop(c) <= maxDrop;
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
        return drop <= maxDrop ? -c.paperCR() : drop - maxDrop;
    }

    @Override
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
        return "CompressionScoreFunction(baselineAccuracy=" + baselineAccuracy + ", maxDrop=" + maxDrop + ")";
    }
}
