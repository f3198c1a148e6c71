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
        PRE_TRAINING,
        /** Training in SD form (SD-T; also a NaN gradient at the bucket switch). */
        TRAINING,
        /** The dense epochs of re-training (RT, {@link Retraining}). */
        RE_TRAINING
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

    /** @return which training diverged */
    public Phase phase() {
        return phase;
    }
}
