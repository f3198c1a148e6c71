package org.smartdeal.zoo.sweep;

import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.ConversionReport;

/**
 * What one candidate of a conversion sweep gave: its plan, the conversion's figures, and the accuracy of the
 * network read back from its {@code .sdm} bytes (never of the network in memory: what a user loads is what is
 * scored). A failed candidate holds the error and NaN figures.
 *
 * @param index      the candidate's number (Arbiter's candidate index, from 0)
 * @param plan       the plan it converted with, or null when the plan could not be made from the sample
 * @param report     the conversion report, or null when it failed
 * @param paperCR    dense 32-bit weight bits / stored SD bits of the converted layers ({@link ConversionReport#paperCR})
 * @param fileCR     dense float32 parameter bytes / {@code .sdm} bytes
 * @param sdm        the {@code .sdm} file's bytes (not copied: do not modify), or null when it failed
 * @param accuracy   accuracy of the reloaded network on the validation data, in [0, 1]
 * @param loss       its mean loss
 * @param examples   validation examples scored
 * @param rtBestEpoch the re-training epoch kept (0: the first decomposition), or -1 without re-training
 * @param energyPj   the reloaded network's price (pJ per inference, from the sweep's {@link ConversionTaskCreator.Pricing}),
 *                   or NaN when the sweep does not price
 * @param seconds    wall time of re-training, conversion, serialisation, reload and scoring
 * @param error      why the candidate failed, or null
 * @param failure    what kind of failure that was, or null when the candidate did not fail
 */
public record ConversionCandidate(int index, ConversionPlan plan, ConversionReport report, double paperCR,
        double fileCR, byte[] sdm, double accuracy, double loss, long examples, int rtBestEpoch, double energyPj,
        double seconds, String error, Failure failure) {

    /** What kind of failure a failed candidate had; the sweep's verdict and its advice follow from it. */
    public enum Failure {
        /** A check this project makes refused the candidate's settings or data; the error names field, rule and value. */
        SETTINGS,
        /** Re-training diverged at the candidate's settings (a {@code TrainingDivergedException}). */
        DIVERGED,
        /** Anything else: a defect, not the candidate's doing; the error starts with {@link #INTERNAL_ERROR}. */
        INTERNAL
    }

    /** An error and a failure kind come together: both null (the candidate worked) or both set. */
    public ConversionCandidate {
        if ((error == null) != (failure == null)) {
            throw new IllegalArgumentException("ConversionCandidate " + index + ": error and failure must be both null "
                    + "or both set, got error " + (error == null ? "null" : "'" + error + "'") + " and failure " + failure);
        }
    }

    /**
     * A candidate that failed.
     *
     * @param index   its number
     * @param plan    its plan, or null
     * @param seconds time spent
     * @param failure what kind of failure
     * @param error   what went wrong (a message naming the field, rule and value where there is one)
     * @return the failed candidate
     */
    public static ConversionCandidate failed(int index, ConversionPlan plan, double seconds, Failure failure,
            String error) {
        java.util.Objects.requireNonNull(failure, "ConversionCandidate.failed failure");
        java.util.Objects.requireNonNull(error, "ConversionCandidate.failed error");
        return new ConversionCandidate(index, plan, null, Double.NaN, Double.NaN, null, Double.NaN, Double.NaN, 0, -1,
                Double.NaN, seconds, error, failure);
    }

    /** Starts the error of a candidate that failed on something other than its settings or data (a defect). */
    public static final String INTERNAL_ERROR = "internal error: ";

    /** @return true when the candidate failed on a defect rather than on its settings or data */
    public boolean internalError() {
        return failure == Failure.INTERNAL;
    }

    /** @return true when the candidate was converted, reloaded and scored */
    public boolean ok() {
        return error == null;
    }

    /** @return the {@code .sdm} size in bytes, or 0 when it failed */
    public long sdmBytes() {
        return sdm == null ? 0 : sdm.length;
    }
}
