package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link TrainingDivergedException.Phase#label}, which no test read (the messages use the field). */
class TrainingDivergedExceptionEdgesTest {

    /** The labels the Javadoc gives, the same words the messages start with. */
    @Test
    void phasesAreNamedAsMessagesNameThem() {
        assertEquals("pre-training", TrainingDivergedException.Phase.PRE_TRAINING.label());
        assertEquals("training", TrainingDivergedException.Phase.TRAINING.label());
        assertEquals("RT", TrainingDivergedException.Phase.RE_TRAINING.label());
        assertEquals("RT epoch 2 of 3 diverged: x; lower the learning rate",
                TrainingDivergedException.diverged(TrainingDivergedException.Phase.RE_TRAINING, 2, 3, "x", Double.NaN)
                        .getMessage());
    }
}
