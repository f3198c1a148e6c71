package org.smartdeal.zoo.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.ParamRef;

/**
 * {@link SdTrainingTaskListener} on small networks built here: the shared maxCoeff of the bucket switches (the
 * smallest of the SD layers' clamps, class Javadoc), a network without SD layers, a ComputationGraph, and every
 * refusal of {@code rates} (an updater without a learning rate, a regularization other than L2, layers that disagree
 * on L2, no layer to read a rate from) with its message. Cases no earlier test checked, written from the class
 * Javadoc (a mutation-testing run meant to list them did not finish; docs/RESULTS.md 8).
 */
class SdTrainingTaskListenerEdgesTest {

    private static MultiLayerNetwork sdNet(double fcMaxCoeff, double outMaxCoeff) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.2))
                .list()
                .layer(new SdDenseLayer.Builder().name("fc").nIn(12).nOut(8).theta(0.01).maxCoeff(fcMaxCoeff).build())
                .layer(new SdOutputLayer.Builder(LossFunction.MCXENT).name("out").nIn(8).nOut(3).theta(0.05)
                        .maxCoeff(outMaxCoeff).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    /**
     * fc clamps at 8 and out at 4 (or the other way round): both switches get maxCoeff 4, the smaller; minCoeff is
     * each layer's own (the smallest 2^i &gt;= theta: 2^-6 = 0.015625 for 0.01, 2^-4 = 0.0625 for 0.05); the fixed
     * listener's lr 0.05 and thetas 7 and 5e-3, or with candidate rates the network's own lr 0.2.
     */
    @Test
    void theSwitchesShareTheSmallestClampAndKeepTheirOwnMinCoeff() {
        for (double[] clamps : new double[][] {{8, 4}, {4, 8}}) {
            Map<ParamRef, BucketSwitch> s = new SdTrainingTaskListener(0.05, 7, 5e-3)
                    .bucketSwitchesFor(sdNet(clamps[0], clamps[1]));
            assertEquals(List.of(ParamRef.of("fc", "C"), ParamRef.of("out", "C")), List.copyOf(s.keySet()));
            BucketSwitch fc = s.get(ParamRef.of("fc", "C"));
            BucketSwitch out = s.get(ParamRef.of("out", "C"));
            assertEquals(4, fc.getMaxCoeff(), 0);
            assertEquals(4, out.getMaxCoeff(), 0);
            assertEquals(0x1p-6, fc.getMinCoeff(), 0);
            assertEquals(0x1p-4, out.getMinCoeff(), 0);
            assertEquals(0.05, fc.getLearningRate(), 0);
            assertEquals(7, fc.getThetaC());
            assertEquals(5e-3, fc.getThetaG(), 0);
        }
        Map<ParamRef, BucketSwitch> own = SdTrainingTaskListener.withCandidateRates(5, 0).bucketSwitchesFor(sdNet(8, 8));
        assertEquals(0.2, own.get(ParamRef.of("fc", "C")).getLearningRate(), 0);
        assertEquals(8, own.get(ParamRef.of("out", "C")).getMaxCoeff(), 0);
        assertEquals(5, own.get(ParamRef.of("out", "C")).getThetaC());
    }

    /** A network without SD layers has no switch, and preProcess still routes it (and returns it). */
    @Test
    void aDenseNetworkGetsNoSwitch() {
        MultiLayerNetwork dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.2))
                .list()
                .layer(new DenseLayer.Builder().name("fc").nIn(12).nOut(8).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("out").nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        dense.init();
        assertEquals(Map.of(), new SdTrainingTaskListener(0.05, 7, 5e-3).bucketSwitchesFor(dense));
        assertSame(dense, new SdTrainingTaskListener(0.05, 7, 5e-3).preProcess(dense, null));
        org.nd4j.linalg.learning.config.Nesterovs w = assertInstanceOf(org.nd4j.linalg.learning.config.Nesterovs.class,
                ((org.deeplearning4j.nn.conf.layers.BaseLayer) dense.getLayer(0).conf().getLayer()).getUpdaterByParam("W"));
        assertEquals(0.05, w.getLearningRate(), 0);
    }

    /** A ComputationGraph's SD layers get their switches too; a model of another kind is refused. */
    @Test
    void aGraphIsReadLikeANetwork() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.3))
                .graphBuilder().addInputs("in")
                .addLayer("fc", new SdDenseLayer.Builder().nIn(12).nOut(8).theta(0.01).maxCoeff(2).build(), "in")
                .addLayer("out", new SdOutputLayer.Builder(LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").build());
        g.init();
        Map<ParamRef, BucketSwitch> s = SdTrainingTaskListener.withCandidateRates(7, 0).bucketSwitchesFor(g);
        assertEquals(2, s.size());
        assertTrue(s.values().stream().allMatch(b -> b.getMaxCoeff() == 2 && b.getLearningRate() == 0.3), s.toString());
        assertSame(g, SdTrainingTaskListener.withCandidateRates(7, 0).preProcess(g, null));
        assertEquals("expected a MultiLayerNetwork or ComputationGraph, got null", assertThrows(
                IllegalArgumentException.class, () -> new SdTrainingTaskListener(0.05, 7, 0).bucketSwitchesFor(null))
                .getMessage());
        assertEquals("BucketSwitch.thetaC must be in [1, 1048576], got 0", assertThrows(IllegalArgumentException.class,
                () -> SdTrainingTaskListener.withCandidateRates(0, 0)).getMessage());
    }

    /**
     * rates: the L2 of a layer is the sum of its L2 terms (1e-3 and 2e-3 give 3e-3, which the other layer must
     * match); layers that differ in L2 only are refused; a layer without parameters (a LossLayer) is not read, so its
     * own learning rate does not count; an updater without a learning rate and a non-L2 regularization are refused by
     * layer; a network with no layer to read is refused.
     */
    @Test
    void ratesReadOneLearningRateAndL2OrSayWhyNot() {
        MultiLayerNetwork sameL2 = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().name("fc").nIn(4).nOut(3).regularization(List.of(
                        new org.nd4j.linalg.learning.regularization.L2Regularization(1e-3),
                        new org.nd4j.linalg.learning.regularization.L2Regularization(2e-3))).build())
                .layer(new ActivationLayer.Builder().activation(Activation.SOFTMAX).build())
                .layer(new LossLayer.Builder(LossFunction.MCXENT).name("loss").updater(new Sgd(0.7)).build())
                .build());
        sameL2.init();
        double[] r = SdTrainingTaskListener.rates(sameL2);
        assertEquals(0.1, r[0], 0);
        assertEquals(3e-3, r[1], 1e-18);

        MultiLayerNetwork differ = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().name("fc").nIn(4).nOut(3).l2(1e-3).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("out").nIn(3).nOut(2).l2(2e-3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        differ.init();
        assertEquals("OutputLayer(name=out) has learning rate 0.1 and L2 0.002, but DenseLayer(name=fc) has 0.1 and "
                + "0.001: SD-T trains every layer at one rate", assertThrows(IllegalArgumentException.class,
                        () -> SdTrainingTaskListener.rates(differ)).getMessage());

        MultiLayerNetwork noLr = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().updater(new NoOp()).list()
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("out").nIn(4).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        noLr.init();
        String m = assertThrows(IllegalArgumentException.class, () -> SdTrainingTaskListener.rates(noLr)).getMessage();
        assertTrue(m.startsWith("OutputLayer(name=out): the candidate's updater ") && m.endsWith(" has no learning rate "
                + "to train SD-T with"), m);

        MultiLayerNetwork l1 = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().updater(new Sgd(0.1)).list()
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("out").nIn(4).nOut(2).l1(1e-3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        l1.init();
        m = assertThrows(IllegalArgumentException.class, () -> SdTrainingTaskListener.rates(l1)).getMessage();
        assertTrue(m.startsWith("OutputLayer(name=out): regularization ") && m.endsWith(" is not L2; SD-T's other "
                + "parameters take an L2 coefficient only"), m);

        MultiLayerNetwork nothing = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().updater(new Sgd(0.1)).list()
                .layer(new ActivationLayer.Builder().activation(Activation.SOFTMAX).build())
                .layer(new LossLayer.Builder(LossFunction.MCXENT).build())
                .build());
        nothing.init();
        assertEquals("the candidate has no layer with an updater to take a learning rate from", assertThrows(
                IllegalArgumentException.class, () -> SdTrainingTaskListener.rates(nothing)).getMessage());
    }
}
