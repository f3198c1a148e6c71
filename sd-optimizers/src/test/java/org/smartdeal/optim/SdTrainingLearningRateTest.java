package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;

/**
 * {@link SdTraining#setLearningRate}: DL4J's {@code net.setLearningRate} changes each layer's layer-wide updater only,
 * which the parameters of a configured SD layer do not use; this call reaches the bucket switch of every C, the
 * updaters of B and b and the plain layers' updaters, and keeps the updater state (the bucket-switch counters).
 */
class SdTrainingLearningRateTest {

    /** plain dense 6 -> 6, SD dense 6 -> 5, SD output 5 -> 3, routed with a bucket switch at 0.5, the rest at 0.05. */
    private static MultiLayerConfiguration conf() {
        MultiLayerConfiguration c = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().name("plain").nIn(6).nOut(6).activation(Activation.TANH).build())
                .layer(new SdDenseLayer.Builder().name("sd1").nIn(6).nOut(5).theta(0x1p-8)
                        .activation(Activation.TANH).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("sdOut").nIn(5).nOut(3)
                        .theta(0x1p-8).activation(Activation.SOFTMAX).build())
                .build();
        return SdTraining.configure(c, BucketSwitch.builder(0.5).thetaC(2).thetaG(0).minCoeff(0x1p-8).build(),
                new Nesterovs(0.05, 0.9), 5e-4);
    }

    private static MultiLayerNetwork trained() {
        MultiLayerNetwork net = new MultiLayerNetwork(conf());
        net.init();
        TestNets.data(4, 11).forEach(net::fit);
        return net;
    }

    /** The learning rate at iteration 0 of every updater a trainable parameter uses (configuration side). */
    private static List<Double> configuredRates(Model net) {
        List<Layer> layers = new ArrayList<>();
        if (net instanceof MultiLayerNetwork m) {
            m.getLayerWiseConfigurations().getConfs().forEach(c -> layers.add(c.getLayer()));
        } else {
            for (org.deeplearning4j.nn.api.Layer l : ((ComputationGraph) net).getLayers()) layers.add(l.conf().getLayer());
        }
        List<Double> out = new ArrayList<>();
        for (Layer l : layers) {
            for (String k : l.initializer().paramKeys(l)) {
                IUpdater u = l.getUpdaterByParam(k);
                if (u.hasLearningRate()) out.add(u.getLearningRate(0, 0));
            }
        }
        return out;
    }

    /** The learning rate at iteration 0 of every updater block of the network's live updater. */
    private static List<Double> liveRates(MultiLayerNetwork net) {
        List<Double> out = new ArrayList<>();
        for (UpdaterBlock b : ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks()) {
            IUpdater u = b.getGradientUpdater().getConfig();
            if (u.hasLearningRate()) out.add(u.getLearningRate(0, 0));
        }
        return out;
    }

    @Test
    void everyTrainableParameterTakesTheNewRateAndTheCountersAreKept() {
        MultiLayerNetwork net = trained();
        // before: the bucket switch of sd1/C and sdOut/C at 0.5, every other trained parameter at 0.05 (configure)
        assertTrue(configuredRates(net).contains(0.5) && configuredRates(net).contains(0.05), configuredRates(net).toString());
        // DL4J's own call (1.0.0-M2.1) fails on this trained network in its rebuild of the updater, and on an untrained
        // one leaves the two bucket switches (and the SD layers' B and b) at their rates: the README's limitation
        MultiLayerNetwork viaDl4j = trained();
        assertThrows(NullPointerException.class, () -> viaDl4j.setLearningRate(0.01));
        MultiLayerNetwork fresh = new MultiLayerNetwork(conf());
        fresh.init();
        fresh.setLearningRate(0.01);
        assertTrue(configuredRates(fresh).contains(0.5), configuredRates(fresh).toString());

        INDArray state = net.getUpdater().getStateViewArray().dup();
        assertNotEquals(0.0, state.sumNumber().doubleValue(), "four steps left counters and momentum to keep");
        SdTraining.setLearningRate(net, 0.01);
        // plain W and b, sd1 and sdOut: C (bucket switch), B, b: every one at 0.01, in the configuration and in the
        // updater DL4J rebuilt from it
        List<Double> configured = configuredRates(net);
        assertEquals(8, configured.size(), configured.toString());
        configured.forEach(r -> assertEquals(0.01, r, 0.0, configured.toString()));
        liveRates(net).forEach(r -> assertEquals(0.01, r, 0.0, liveRates(net).toString()));
        assertEquals(state, net.getUpdater().getStateViewArray(), "the updater state is kept");
        // and it travels with the configuration
        MultiLayerConfiguration again = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
        MultiLayerNetwork reloaded = new MultiLayerNetwork(again);
        reloaded.init();
        configuredRates(reloaded).forEach(r -> assertEquals(0.01, r, 0.0));
        // training goes on at the new rates
        TestNets.data(2, 12).forEach(net::fit);
    }

    @Test
    void aScheduleReachesEveryParameterToo() {
        MultiLayerNetwork net = trained();
        SdTraining.setLearningRate(net, new StepSchedule(ScheduleType.ITERATION, 0.2, 0.5, 10));
        List<Double> rates = configuredRates(net);
        assertEquals(8, rates.size());
        rates.forEach(r -> assertEquals(0.2, r, 0.0, rates.toString()));
        liveRates(net).forEach(r -> assertEquals(0.2, r, 0.0));
    }

    @Test
    void aGraphIsSetAlike() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("sd1", new SdDenseLayer.Builder().nIn(6).nOut(5).theta(0x1p-8).activation(Activation.TANH)
                        .build(), "in")
                .addLayer("sdOut", new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .theta(0x1p-8).activation(Activation.SOFTMAX).build(), "sd1")
                .setOutputs("sdOut").setInputTypes(InputType.feedForward(6)).build());
        g.init();
        SdTraining.configure(g, BucketSwitch.builder(0.5).thetaC(2).thetaG(0).minCoeff(0x1p-8).build(),
                new Nesterovs(0.05, 0.9), 5e-4);
        SdTraining.setLearningRate(g, 0.02);
        List<Double> rates = configuredRates(g);
        assertEquals(6, rates.size(), rates.toString());
        rates.forEach(r -> assertEquals(0.02, r, 0.0, rates.toString()));
    }

    @Test
    void badRatesAreRefusedAndChangeNothing() {
        MultiLayerNetwork net = trained();
        List<Double> before = configuredRates(net);
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.setLearningRate(net, 0.0));
        assertEquals("learning rate must be > 0 for a network trained with the bucket switch "
                + "(BucketSwitch.learningRate), got 0.0", zero.getMessage());
        assertEquals("learning rate must be finite and >= 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> SdTraining.setLearningRate(net, Double.NaN))
                        .getMessage());
        assertEquals("learning rate must be finite and >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> SdTraining.setLearningRate(net, -1.0)).getMessage());
        assertEquals("schedule must not be null", assertThrows(IllegalArgumentException.class,
                () -> SdTraining.setLearningRate(net, (org.nd4j.linalg.schedule.ISchedule) null)).getMessage());
        assertEquals(before, configuredRates(net));
        // a network without a bucket switch takes 0, as DL4J's own call does
        MultiLayerNetwork plain = new MultiLayerNetwork(TestNets.denseConf());
        plain.init();
        SdTraining.setLearningRate(plain, 0.0);
        configuredRates(plain).forEach(r -> assertEquals(0.0, r, 0.0));
    }
}
