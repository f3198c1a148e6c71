package org.smartdeal.hw.dl4j;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.hw.spec.ArchSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Edge networks of the DL4J extraction and listener, found by a bug hunt (session h6, branch hunt), each failing
 * before its fix:
 * <ul>
 * <li>an {@link EnergyListener} on a sequence graph counts examples from the graph's network input, not from a
 *     layer's per-step rows: one fit on 2 sequences of 5 steps is 2 examples (the minibatch given), not the 10 rows
 *     [N T, C] that the dense layer behind RnnToFeedForwardPreProcessor holds.</li>
 * </ul>
 */
class WorkloadsEdgeNetworksTest {

    /**
     * EnergyListener.onForwardPass(Model, Map) counted examples from the first value of DL4J's activation map, a
     * HashMap: with these vertex names that is "a", the per-step rows [N T, 4] of a dense layer behind
     * RnnToFeedForwardPreProcessor, so one fit on 2 sequences of 5 steps counted 10 examples (and forwardEnergyPj was 5x).
     */
    @Test
    void aListenerOnASequenceGraphCountsExamplesNotStepRows() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("x")
            .addLayer("a", new DenseLayer.Builder().nIn(3).nOut(4).build(), new RnnToFeedForwardPreProcessor(), "x")
            .addLayer("b", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2)
                .activation(Activation.IDENTITY).build(), new FeedForwardToRnnPreProcessor(), "a")
            .setOutputs("b").build());
        g.init();
        EnergyListener l = new EnergyListener(g, ArchSpec.paper(), 1, InputType.recurrent(3, 5));
        g.setListeners(l);
        Nd4j.getRandom().setSeed(2);
        g.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 2, 3, 5), Nd4j.rand(DataType.FLOAT, 2, 2, 5)));
        assertEquals(2, l.examplesSampled());
        assertEquals(2, l.examplesSeen());
    }
}
