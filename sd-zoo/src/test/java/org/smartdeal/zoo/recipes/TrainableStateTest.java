package org.smartdeal.zoo.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.ZooConfiguration;
import org.smartdeal.zoo.models.ZooModel;

/** {@link TrainableState} against hand counts of the packed shapes (ALGORITHMS.md 2) and updater state sizes. */
class TrainableStateTest {

    @Test
    void denseLeNetHoldsValueAndMomentumPerParameter() {
        MultiLayerNetwork net = ((ZooConfiguration.Sequential) ZooModel.LENET300.configuration(InputShape.MNIST, 10, 1))
                .init();
        SdTraining.configure(net, BucketSwitch.builder(0.01).build(), new Nesterovs(0.01, 0.9), 5e-4);
        // 266,610 parameters (ModelStatsTest), 4 bytes of value and 4 of Nesterovs momentum each.
        assertEquals(266_610L * 8, TrainableState.bytes(net));
        assertEquals(266_610L * 8, TrainableState.bytesAsHeld(net));
    }

    @Test
    void sdNetworkCountsCInsideItsMaskAtStorageWidth() {
        MultiLayerNetwork net = SdTrainingWiringTest.sdMlp();
        SdTraining.configure(net, BucketSwitch.builder(0.01).theta(7e-3).build(), new Nesterovs(0.01, 0.9), 5e-4);
        long inside = 0;
        for (String l : new String[] {"fc1", "fc2", "out"}) {
            inside += net.getLayer(l).getParam("M").sumNumber().longValue();
        }
        // C: fc1 252, fc2 96, out 27 entries (SdTrainingWiringTest); bitmaps 32 + 12 + 4 bytes; 3 epoch words.
        // B and b at 4 + 4 bytes: (108 + 12) + (72 + 8) + (27 + 3) = 230 entries -> 1,840 bytes.
        // BatchNorm: gamma, beta 24 entries at 8 bytes; running mean and variance 24 entries at 4 bytes.
        long others = 1_840 + 192 + 96;
        assertEquals(6 * inside + 48 + 12 + others, TrainableState.bytes(net));
        assertEquals(6L * (252 + 96 + 27) + 12 + others, TrainableState.bytesAsHeld(net));
    }

    /**
     * Layers DL4J holds frozen (TransferLearning's feature extractor wraps them in FrozenLayer) are not updated by
     * training and keep no updater state, so they hold no trainable state (the class Javadoc: only parameters that
     * training updates count). With fc1, bn1 and fc2 frozen only "out" counts, by hand as above: C's 27 entries at
     * 6 bytes inside the mask, a bitmap of 4 bytes and an epoch word of 4; B and b, 27 + 3 entries at 4 + 4 bytes.
     * Before, a frozen layer was counted as if it trained (its runtime wrapper reports the wrapped configuration,
     * bucket switch included), so the whole network's figure came back. DL4J's own check that they do not move is in
     * Dl4jFeaturesOnSdTest.transferLearningFreezesSdLayersAndTrainsTheNewHead.
     */
    @Test
    void layersHeldFrozenHoldNoTrainableState() {
        MultiLayerNetwork net = SdTrainingWiringTest.sdMlp();
        SdTraining.configure(net, BucketSwitch.builder(0.01).theta(7e-3).build(), new Nesterovs(0.01, 0.9), 5e-4);
        long inside = net.getLayer("out").getParam("M").sumNumber().longValue();
        long out = 6 * inside + 4 + 4 + 8 * (27 + 3);
        MultiLayerNetwork tl = new TransferLearning.Builder(net).setFeatureExtractor(2).build();
        assertEquals(out, TrainableState.bytes(tl));
        assertEquals(6 * 27 + 4 + 8 * (27 + 3), TrainableState.bytesAsHeld(tl));

        // a graph: the layers TransferLearning.GraphBuilder freezes count nothing either; "fc" alone trains (its C
        // masked by its M, as in bytes)
        ComputationGraph dense = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("in")
                .addLayer("fc1", new DenseLayer.Builder().nIn(20).nOut(12).activation(Activation.TANH).build(), "in")
                .addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc1")
                .setOutputs("fc").setInputTypes(InputType.feedForward(20)).build());
        dense.init();
        ComputationGraph g = (ComputationGraph) SdConverter.convert(dense, ConversionPlan.defaultPlan().withTheta(7e-3))
                .network();
        SdTraining.configure(g, BucketSwitch.builder(0.01).theta(7e-3).build(), new Nesterovs(0.01, 0.9), 5e-4);
        long fcOnly = 0;
        for (var p : g.getLayer("fc").paramTable().entrySet()) {
            var fc = g.getLayer("fc");
            fcOnly += TrainableState.bytes(fc.conf().getLayer().getUpdaterByParam(p.getKey()), p.getValue(),
                    fc.getParam("M"));
        }
        ComputationGraph gtl = new TransferLearning.GraphBuilder(g).setFeatureExtractor("fc1").build();
        assertEquals(fcOnly, TrainableState.bytes(gtl));
    }
}
