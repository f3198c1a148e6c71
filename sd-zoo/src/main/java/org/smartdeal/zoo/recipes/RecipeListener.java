package org.smartdeal.zoo.recipes;

import java.util.Locale;

/**
 * Receives the progress of {@link SdTrainingRecipe#run}: phases of minibatch steps (for progress
 * bars), one {@link EpochResult} per epoch and free log lines. Every method has an empty default.
 */
public interface RecipeListener {

    /** A listener that ignores everything. */
    RecipeListener NONE = new RecipeListener() {
    };

    /**
     * A phase of minibatch steps starts.
     *
     * @param phase      its name ("pre-training", "training")
     * @param totalSteps the number of {@link #step()} calls that will follow
     */
    default void phaseStarted(String phase, long totalSteps) {
    }

    /** One minibatch step of the current phase is done. */
    default void step() {
    }

    /** The current phase is over. */
    default void phaseEnded() {
    }

    /** One epoch is over; by default its {@link EpochResult#line()} goes to {@link #log}. */
    default void epoch(EpochResult epoch) {
        log(epoch.line());
    }

    /**
     * SD and SS: the network was decomposed, once, before the transfer training ({@link
     * org.smartdeal.zoo.convert.SdConverter#convert}); VA never calls it.
     *
     * @param report the converter's report, one row per weight-carrying layer (a layer whose C kept no non-zero
     *               coefficient: {@link org.smartdeal.zoo.convert.ConversionReport#zeroCoefficientLayers})
     */
    default void decomposed(org.smartdeal.zoo.convert.ConversionReport report) {
    }

    /** A log line (a stage result, a setting). */
    default void log(String line) {
    }

    /**
     * Whether log lines may carry test-set figures (true by default). A listener used while settings are
     * chosen on a validation hold-out returns false: the recipe then writes "test accuracy sealed" in its
     * final line, and the test figures reach the caller only through the {@link RecipeResult}, to be read
     * once the choice is fixed. The recipe refuses such a listener without a hold-out
     * ({@link TrainingSettings#validationExamples} 0), whose intermediate checks would score the test set.
     */
    default boolean showsTestFigures() {
        return true;
    }

    /**
     * One epoch of one phase.
     *
     * @param phase    "pre-training" or "training"
     * @param epoch    1-based epoch number
     * @param epochs   epochs of the phase
     * @param lr       learning rate used in the epoch (the schedule's value)
     * @param meanLoss mean minibatch loss over the epoch (with regularization, as DL4J scores it)
     * @param switched coefficient entries of C whose value changed during the epoch (0 for dense training)
     * @param sdForm   whether the network trained had SD layers (false for pre-training and VA)
     * @param seconds  wall time of the epoch
     */
    record EpochResult(String phase, int epoch, int epochs, double lr, double meanLoss, long switched,
                       boolean sdForm, double seconds) {
        /**
         * "training epoch 3/80: lr 0.0100, score 0.4321 (loss + L2), 1234 C entries switched, 12.3 s"; a
         * dense epoch has no C and its line no count.
         */
        public String line() {
            String c = sdForm ? String.format(Locale.ROOT, " %d C %s switched,", switched, switched == 1 ? "entry" : "entries")
                    : "";
            // a diverging run's score can reach 1e31: %.4f would print all 32 digits
            String score = Math.abs(meanLoss) < 1e6 ? String.format(Locale.ROOT, "%.4f", meanLoss)
                    : String.format(Locale.ROOT, "%.4g", meanLoss);
            return String.format(Locale.ROOT, "%s epoch %d/%d: lr %.5g, score %s (loss + L2),%s %.1f s",
                    phase, epoch, epochs, lr, score, c, seconds);
        }
    }
}
