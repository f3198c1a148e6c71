package org.smartdeal.zoo.recipes;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.api.Model;

/**
 * What one run of {@link SdTrainingRecipe} produced.
 *
 * @param settings             the settings of the run
 * @param network              the trained network (SWA average written in), in memory
 * @param accuracy             accuracy of {@code network} on the task's test set
 * @param loss                 mean test loss of {@code network}
 * @param fileAccuracy         accuracy of the model as reloaded from the content of {@code modelFile} (an SD
 *                             file stores B as int8, so it may differ slightly from {@code accuracy})
 * @param pretrainAccuracy     accuracy of the pre-trained dense network on the test set (the validation
 *                             set when one is held out), before the transfer (NaN for adaptation, whose
 *                             classifier is reset)
 * @param decomposedAccuracy   accuracy right after decomposition, before the transfer training (NaN for
 *                             VA; for adaptation measured with the reset classifier)
 * @param validationAccuracy   accuracy of {@code network} on the validation examples held out of the target
 *                             split ({@link TrainingSettings#validationExamples}), NaN when none; when there
 *                             are, {@code pretrainAccuracy} and {@code decomposedAccuracy} are measured on them
 *                             too, so the test set is scored only at the end
 * @param trainableStateBytes  bytes of trainable state, as defined by {@link TrainableState#bytes}
 * @param trainableStateBytesAsHeld the same over DL4J's dense packed arrays ({@link TrainableState#bytesAsHeld})
 * @param modelFile            the saved model ({@code .sdm} for SD/SS, {@code .zip} for VA), written by the run
 *                             or by the caller's {@link SdTrainingRecipe.ModelOutput}
 * @param modelBytes           size of {@code modelFile} in bytes
 * @param coefficientDensity   fraction of non-zero entries of all C after training, over the real rows (the rows
 *                             padding a unit's last slice do not count; NaN for VA)
 * @param epochs               the per-epoch results of the transfer training
 * @param seconds              wall time of the whole run
 */
public record RecipeResult(TrainingSettings settings, Model network, double accuracy, double loss,
                           double fileAccuracy, double pretrainAccuracy, double decomposedAccuracy,
                           double validationAccuracy,
                           long trainableStateBytes, long trainableStateBytesAsHeld, Path modelFile, long modelBytes,
                           double coefficientDensity,
                           List<RecipeListener.EpochResult> epochs, double seconds) {

    /** Checks the references and copies the epoch list. */
    public RecipeResult {
        Objects.requireNonNull(settings, "RecipeResult.settings");
        Objects.requireNonNull(network, "RecipeResult.network");
        Objects.requireNonNull(modelFile, "RecipeResult.modelFile");
        epochs = List.copyOf(epochs);
    }
}
