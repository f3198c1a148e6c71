package org.smartdeal.bench;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.zoo.data.InMemoryDataSetIterator;
import org.smartdeal.zoo.recipes.RecipeListener;
import org.smartdeal.zoo.recipes.SdTrainingRecipe;

/**
 * dl4j-spark's parameter averaging ({@code ParameterAveragingTrainingMaster} with {@code saveUpdater(true)}),
 * replayed in one JVM as the recipe's {@link SdTrainingRecipe.EpochTrainer}, with the hook of docs/ARBITER-SPARK.md
 * ("Spark") after every averaging. Each split of an epoch gives {@code workers} workers {@code frequency}
 * consecutive minibatches each (the last split may have fewer workers), and runs the calls the master and its
 * workers make (dl4j-spark 1.0.0-M2 sources):
 * <ul>
 *   <li>worker: {@code new MultiLayerNetwork(conf.clone())}, {@code init(params.dup(), false)},
 *       {@code setUpdater(new MultiLayerUpdater(worker, state.dup()))}, then {@code fit(minibatch)} per minibatch;</li>
 *   <li>master: the sum of the workers' parameters and updater states divided by the number of workers,
 *       {@code setParameters}, {@code getUpdater().setStateViewArray(null, state, false)};</li>
 *   <li>then {@link SdTraining#restoreInvariants}: C back to {@code M ? P(c) : 0}, bucket-switch counters truncated
 *       to integers, the inference cache dropped (a no-op on a dense network).</li>
 * </ul>
 * The workers run one after the other: the result is what the cluster would compute, not its speed. With one
 * worker it equals single-machine training ({@link SdTrainingRecipe.EpochTrainer#LOCAL}) exactly (tested with
 * averaging every 3 minibatches): the mean of one network is that network, and nothing in SD-T's updaters
 * depends on the iteration count, which restarts with every worker.
 */
final class ParameterAveragingEpochs implements SdTrainingRecipe.EpochTrainer {

    private final int workers;
    private final int frequency;
    private long splits;
    private long coefficientsRestored;
    private long countersRestored;

    /**
     * @param workers   workers per split, at least 1
     * @param frequency minibatches each worker fits between two averagings (dl4j-spark's averagingFrequency,
     *                  default 5), at least 1
     */
    ParameterAveragingEpochs(int workers, int frequency) {
        if (workers < 1) {
            throw new IllegalArgumentException("ParameterAveragingEpochs.workers must be at least 1, got " + workers);
        }
        if (frequency < 1) {
            throw new IllegalArgumentException("ParameterAveragingEpochs.frequency must be at least 1, got " + frequency);
        }
        this.workers = workers;
        this.frequency = frequency;
    }

    @Override
    public double fitEpoch(MultiLayerNetwork master, InMemoryDataSetIterator data, RecipeListener listener) {
        data.reset();
        List<DataSet> batches = new ArrayList<>();
        while (data.hasNext()) {
            batches.add(data.next());
        }
        double sum = 0;
        int n = 0;
        for (int start = 0; start < batches.size(); start += workers * frequency) {
            List<DataSet> split = batches.subList(start, Math.min(batches.size(), start + workers * frequency));
            MultiLayerConfiguration conf = master.getLayerWiseConfigurations();
            INDArray params = master.params();
            INDArray state = master.getUpdater().getStateViewArray();
            INDArray paramSum = null;
            INDArray stateSum = null;
            int count = 0;
            for (int from = 0; from < split.size(); from += frequency) {
                MultiLayerNetwork worker = new MultiLayerNetwork(conf.clone());
                worker.init(params.dup(), false);
                if (state != null) {
                    worker.setUpdater(new MultiLayerUpdater(worker, state.dup()));
                }
                for (DataSet ds : split.subList(from, Math.min(split.size(), from + frequency))) {
                    worker.fit(ds);
                    sum += worker.score();
                    n++;
                    listener.step();
                }
                paramSum = paramSum == null ? worker.params().dup() : paramSum.addi(worker.params());
                INDArray s = worker.getUpdater().getStateViewArray();
                if (s != null) {
                    stateSum = stateSum == null ? s.dup() : stateSum.addi(s);
                }
                count++;
            }
            master.setParameters(paramSum.divi(count));
            if (stateSum != null) {
                master.getUpdater().setStateViewArray(null, stateSum.divi(count), false);
            }
            SdTraining.Restoration r = SdTraining.restoreInvariants(master);
            coefficientsRestored += r.coefficientsChanged();
            countersRestored += r.countersChanged();
            splits++;
        }
        if (n == 0) {
            // as EpochTrainer.LOCAL: an empty epoch is no data, not a NaN loss the recipe would take for divergence
            throw new IllegalArgumentException("the epoch's data holds no minibatch: nothing to train on");
        }
        return sum / n;
    }

    /** @return averagings so far */
    long splits() {
        return splits;
    }

    /** @return coefficients the hook moved back onto the grid so far (an averaged C off the powers of two) */
    long coefficientsRestored() {
        return coefficientsRestored;
    }

    /** @return bucket-switch counters the hook truncated so far (a fractional mean) */
    long countersRestored() {
        return countersRestored;
    }

    @Override
    public String toString() {
        return "parameter averaging: " + workers + " workers, averaging every " + frequency + " minibatches";
    }
}
