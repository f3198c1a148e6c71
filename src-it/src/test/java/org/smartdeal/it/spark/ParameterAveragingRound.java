package org.smartdeal.it.spark;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One split of dl4j-spark's {@code ParameterAveragingTrainingMaster}, in process and without Spark, with
 * the same DL4J calls (dl4j-spark 1.0.0-M2 sources):
 * <ul>
 *   <li>{@code getWorkerInstance} broadcasts the master's configuration, {@code params()} and updater
 *       {@code getStateViewArray()};</li>
 *   <li>{@code ParameterAveragingTrainingWorker.getInitialModel}: {@code new MultiLayerNetwork(conf.clone())},
 *       {@code init(params.dup(), false)}, {@code setUpdater(new MultiLayerUpdater(net, state.dup()))};</li>
 *   <li>{@code processMinibatch}: {@code network.fit(dataSet)} per minibatch;</li>
 *   <li>{@code getFinalResult}: {@code params()} and, only with saveUpdater, the updater state;</li>
 *   <li>{@code processResults}: sums, {@code divi(count)}, {@code net.setParameters(params)} and
 *       {@code getUpdater().setStateViewArray(null, state, false)}.</li>
 * </ul>
 */
final class ParameterAveragingRound {

    private ParameterAveragingRound() {
    }

    /**
     * Runs one split: every worker trains on its own list of minibatches, then the master averages.
     *
     * @param master      the driver's network, Modified
     * @param partitions  one list of minibatches per worker
     * @param saveUpdater whether updater states are returned and averaged (the master's saveUpdater)
     */
    static void run(MultiLayerNetwork master, List<List<DataSet>> partitions, boolean saveUpdater) {
        MultiLayerConfiguration conf = master.getLayerWiseConfigurations();
        INDArray params = master.params();
        INDArray state = master.getUpdater().getStateViewArray();
        INDArray paramSum = null;
        INDArray stateSum = null;
        for (List<DataSet> partition : partitions) {
            MultiLayerNetwork worker = new MultiLayerNetwork(conf.clone());
            worker.init(params.dup(), false);
            if (state != null) {
                worker.setUpdater(new MultiLayerUpdater(worker, state.dup()));
            }
            for (DataSet ds : partition) {
                worker.fit(ds);
            }
            paramSum = paramSum == null ? worker.params().dup() : paramSum.addi(worker.params());
            if (saveUpdater) {
                INDArray s = worker.getUpdater().getStateViewArray();
                stateSum = stateSum == null ? s.dup() : stateSum.addi(s);
            }
        }
        paramSum.divi(partitions.size());
        master.setParameters(paramSum);
        if (stateSum != null) {
            stateSum.divi(partitions.size());
            master.getUpdater().setStateViewArray(null, stateSum, false);
        }
    }
}
