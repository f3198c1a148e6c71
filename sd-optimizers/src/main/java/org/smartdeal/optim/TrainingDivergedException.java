package org.smartdeal.optim;

/**
 * Training produced a NaN or infinite loss, or a NaN gradient reached the bucket switch: the run cannot go on,
 * and the usual cause is a learning rate too large for the network. Thrown by {@link Retraining} (after a dense
 * epoch), {@link BucketSwitchStep} (a NaN switch direction) and the SD-T recipe's epoch loops, with a message
 * naming the phase, the epoch or index, and the value. It is a setting's outcome, not a defect: command-line
 * tools report it as bad input and sweeps as the candidate's own failure.
 */
public class TrainingDivergedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Which training diverged, for callers that name the learning rate responsible. */
    public enum Phase {
        /** Dense pre-training (the SD-T recipe's first step). */
        PRE_TRAINING("pre-training"),
        /** Training in SD form (SD-T; also a NaN gradient at the bucket switch). */
        TRAINING("training"),
        /** The dense epochs of re-training (RT, {@link Retraining}). */
        RE_TRAINING("RT");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** @return how messages name the phase: "pre-training", "training" or "RT" */
        public String label() {
            return label;
        }
    }

    /**
     * The check every epoch loop makes: an epoch whose mean training loss is NaN or infinite ends the run.
     *
     * @param meanLoss the epoch's mean training loss
     * @param phase    the training it belongs to
     * @param epoch    the epoch, from 1
     * @param epochs   the epochs of the phase
     * @param lr       the learning rate of the epoch, named in the message, or NaN when the caller does not know it
     * @throws TrainingDivergedException "PHASE epoch E of N diverged: mean training loss X [at learning rate LR];
     *                                   lower the learning rate"
     */
    public static void requireFiniteLoss(double meanLoss, Phase phase, int epoch, int epochs, double lr) {
        if (!Double.isFinite(meanLoss)) {
            throw diverged(phase, epoch, epochs, "mean training loss " + meanLoss, lr);
        }
    }

    /**
     * The check at the end of every training epoch: its mean loss, then its parameters, must be finite
     * ({@link #requireFiniteLoss}, {@link #requireFiniteParameters}).
     *
     * @param meanLoss the epoch's mean training loss
     * @param params   the network's parameters after the epoch
     * @param phase    the training it belongs to
     * @param epoch    the epoch, from 1
     * @param epochs   the epochs of the phase
     * @param lr       the learning rate of the epoch, named in the message, or NaN when the caller does not know it
     * @throws TrainingDivergedException naming the first of the two that is not finite
     */
    public static void requireFiniteEpoch(double meanLoss, org.nd4j.linalg.api.ndarray.INDArray params, Phase phase,
            int epoch, int epochs, double lr) {
        requireFiniteLoss(meanLoss, phase, epoch, epochs, lr);
        requireFiniteParameters(params, phase, epoch, epochs, lr);
    }

    /**
     * The divergence of one epoch, in the words every epoch loop uses.
     *
     * @param phase  the training it belongs to
     * @param epoch  the epoch, from 1
     * @param epochs the epochs of the phase
     * @param what   what was seen, e.g. "mean training loss NaN"
     * @param lr     the learning rate of the epoch, named in the message, or NaN when the caller does not know it
     * @return "PHASE epoch E of N diverged: WHAT [at learning rate LR]; lower the learning rate"
     */
    public static TrainingDivergedException diverged(Phase phase, int epoch, int epochs, String what, double lr) {
        return new TrainingDivergedException(phase, phase.label + " epoch " + epoch + " of " + epochs + " diverged: "
                + what + (Double.isNaN(lr) ? "" : " at learning rate " + lr) + "; lower the learning rate");
    }

    /**
     * The check after an epoch whose mean loss was finite: its last updates can still have left NaN or infinite
     * parameters (the loss of a step is computed before its update), which the next scoring meets as NaN predictions.
     *
     * @param params the network's parameters after the epoch
     * @param phase  the training it belongs to
     * @param epoch  the epoch, from 1
     * @param epochs the epochs of the phase
     * @param lr     the learning rate of the epoch, named in the message, or NaN when the caller does not know it
     * @throws TrainingDivergedException "PHASE epoch E of N diverged: the parameters hold NaN or infinite values after
     *                                   it [at learning rate LR]; lower the learning rate"
     */
    public static void requireFiniteParameters(org.nd4j.linalg.api.ndarray.INDArray params, Phase phase, int epoch,
            int epochs, double lr) {
        if (params != null && (params.isNaN().any() || params.isInfinite().any())) {
            throw diverged(phase, epoch, epochs, "the parameters hold NaN or infinite values after it", lr);
        }
    }

    /**
     * How many times the loss before training an epoch's mean training loss may reach before the run counts as
     * diverged although the loss is still finite. Training that works lowers its loss or raises it a little (a
     * re-decomposition, a sparsity step); weights that run away raise it by orders of magnitude (an RT learning rate
     * of 5 on LeNet-300-100 gave 1.3e25 in its first epoch against 0.33 before it, with validation accuracy at chance).
     */
    public static final double RUNAWAY_FACTOR = 1e4;

    /**
     * The check of an epoch's finite mean loss against the loss before training: above {@link #RUNAWAY_FACTOR} times
     * {@code max(before, 1)} the weights are running away, and the run ends as one whose loss overflowed would.
     *
     * @param meanLoss the epoch's mean training loss
     * @param before   the loss before training (for instance on the validation data), or NaN when unknown (no check)
     * @param phase    the training it belongs to
     * @param epoch    the epoch, from 1
     * @param epochs   the epochs of the phase
     * @param lr       the learning rate of the epoch, named in the message, or NaN when the caller does not know it
     * @throws TrainingDivergedException "PHASE epoch E of N diverged: mean training loss X, over 10^4 times the loss
     *                                   before training (B) [at learning rate LR]; lower the learning rate"
     */
    public static void requireNoRunaway(double meanLoss, double before, Phase phase, int epoch, int epochs, double lr) {
        if (Double.isFinite(before) && meanLoss > RUNAWAY_FACTOR * Math.max(before, 1)) {
            throw diverged(phase, epoch, epochs, "mean training loss " + String.format(java.util.Locale.ROOT, "%.4g",
                    meanLoss) + ", over 10^4 times the loss before training (" + String.format(java.util.Locale.ROOT,
                    "%.4g", before) + ")", lr);
        }
    }

    private final Phase phase;

    /**
     * @param phase   which training diverged
     * @param message what diverged where, and the value seen
     */
    public TrainingDivergedException(Phase phase, String message) {
        super(message);
        this.phase = java.util.Objects.requireNonNull(phase, "phase");
    }

    /**
     * This divergence with the epoch it happened in, for a divergence found inside an epoch (a NaN gradient at the
     * bucket switch, which knows neither the epoch nor the parameter) and reported by the epoch loop that knows
     * them. The phase stays; this exception becomes the cause.
     *
     * @param epoch  the epoch, from 1
     * @param epochs the epochs of the phase
     * @param where  where it diverged, e.g. "layer fc1, parameter C", or null when not known
     * @return "PHASE epoch E of N diverged[ in WHERE]: DETAIL", DETAIL being this message without a leading
     *         "PHASE diverged: "
     */
    public TrainingDivergedException inEpoch(int epoch, int epochs, String where) {
        String lead = phase.label + " diverged: ";
        String m = getMessage();
        String detail = m != null && m.startsWith(lead) ? m.substring(lead.length()) : m;
        TrainingDivergedException e = new TrainingDivergedException(phase, phase.label + " epoch " + epoch + " of "
                + epochs + " diverged" + (where == null ? "" : " in " + where) + ": " + detail);
        e.initCause(this);
        return e;
    }

    /** @return which training diverged */
    public Phase phase() {
        return phase;
    }
}
