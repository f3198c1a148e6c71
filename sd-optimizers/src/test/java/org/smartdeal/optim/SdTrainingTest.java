package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdOutputLayer;

/**
 * {@link SdTraining}: which parameters are coefficients, the consistency checks between the bucket
 * switch and the SD layers, and plain networks (the VA variant). The routing of SD layers themselves is
 * tested on converted networks in sd-zoo ({@code SdTrainingWiringTest}).
 */
class SdTrainingTest {

    /** Dense 6 -> sd1 5 (SD, the given theta) -> sdOut 3 (SD, default theta). */
    private static MultiLayerConfiguration sdConf(double layerTheta) {
        return sdConf(layerTheta, SdLayer.DEFAULT_THETA);
    }

    /** Dense 6 -> sd1 5 (SD) -> sdOut 3 (SD), each SD layer with the given forward threshold. */
    private static MultiLayerConfiguration sdConf(double layerTheta, double outTheta) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().name("plain").nIn(6).nOut(6).activation(Activation.TANH).build())
                .layer(new SdDenseLayer.Builder().name("sd1").nIn(6).nOut(5).theta(layerTheta)
                        .activation(Activation.TANH).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("sdOut").nIn(5).nOut(3)
                        .theta(outTheta).activation(Activation.SOFTMAX).build())
                .build();
    }

    @Test
    void coefficientParametersAreTheCOfEverySdLayerInOrder() {
        MultiLayerNetwork net = new MultiLayerNetwork(sdConf(0x1p-8));
        net.init();
        assertEquals(List.of(ParamRef.of("sd1", "C"), ParamRef.of("sdOut", "C")),
                List.copyOf(SdTraining.coefficientParams(net)));
        assertEquals("[sd1/C masked by M, sdOut/C masked by M]", SdTraining.swaCoefficients(net).toString());
    }

    /**
     * SWA projects each SD layer with its own forward threshold. sdOut is configured as the converter
     * configures a layer decomposed at theta 0.045: forward threshold 2^-5, because the decomposition's
     * quantizer rounds 0.045 <= |c| <= 0.046875 down to 2^-5 = 0.03125 (ALGORITHMS.md 1.2, nearest power
     * of two in the linear domain, ties down). An unchanged C (one SWA sample) must come back unchanged: the
     * layer-threshold listener keeps the 2^-5 entry, while one network-wide theta 0.045 (threshold
     * 0.04499) flushes it. sd1 (threshold 2^-9) keeps 2^-9, and an averaged 0.003 (not a power of two)
     * projects to the nearest one, 2^-8 (P of ALGORITHMS.md 6.1).
     */
    @Test
    void swaProjectsEachSdLayerWithItsOwnForwardThreshold() {
        MultiLayerNetwork net = new MultiLayerNetwork(sdConf(0x1p-9, 0x1p-5));
        net.init();
        org.nd4j.linalg.api.ndarray.INDArray c1 = net.getLayer("sd1").getParam("C");
        org.nd4j.linalg.api.ndarray.INDArray c2 = net.getLayer("sdOut").getParam("C");
        net.getLayer("sd1").getParam("M").assign(1);
        net.getLayer("sdOut").getParam("M").assign(1);
        c1.assign(0).putScalar(0, 0x1p-9);
        c1.putScalar(1, 0.003);
        c2.assign(0).putScalar(0, -0x1p-5);
        c2.putScalar(1, 0x1p-4);
        SwaListener single = SdTraining.swaListener(net, 1, 0.045);
        single.addSample(net);
        SwaListener own = SdTraining.swaListener(net, 1);
        own.addSample(net);
        own.finish(net, null);
        assertEquals(0x1p-9, c1.getDouble(0), 0.0);
        assertEquals(0x1p-8, c1.getDouble(1), 0.0);
        assertEquals(0x1p-9 + 0x1p-8, c1.sumNumber().doubleValue(), 0.0);
        assertEquals(-0x1p-5, c2.getDouble(0), 0.0);
        assertEquals(0x1p-4, c2.getDouble(1), 0.0);
        assertEquals(0x1p-4 - 0x1p-5, c2.sumNumber().doubleValue(), 0.0);
        single.finish(net, null);
        assertEquals(0.0, c1.sumNumber().doubleValue(), 0.0);
        assertEquals(0.0, c2.getDouble(0), 0.0);
        assertEquals(0x1p-4, c2.sumNumber().doubleValue(), 0.0);
    }

    @Test
    void aPerParameterListenerNeedsEveryThetaSet() {
        MultiLayerNetwork net = new MultiLayerNetwork(sdConf(0x1p-9));
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SwaListener(1, SdTraining.swaCoefficients(net)));
        assertTrue(e.getMessage().contains("coefficient parameter sd1/C masked by M has no theta of its own"),
                e.getMessage());
    }

    @Test
    void aMinCoeffBelowTheLayersProjectionThresholdIsRejected() {
        // Layer theta 2^-6 = 0.015625: P maps |c| < 0.015615 to 0, so a revived minCoeff 2^-7 would vanish.
        BucketSwitch bs = BucketSwitch.builder(0.1).minCoeff(0x1p-7).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure(sdConf(0x1p-6), bs, new Nesterovs(0.1, 0.9), 5e-4));
        assertTrue(e.getMessage().contains("SdDenseLayer(name=sd1, index=1)")
                && e.getMessage().contains("got minCoeff 0.0078125"), e.getMessage());
    }

    @Test
    void aPlainNetworkGetsTheOtherUpdaterEverywhere() {
        MultiLayerNetwork net = new MultiLayerNetwork(TestNets.denseConf());
        net.init();
        SdTraining.configure(net, BucketSwitch.builder(0.1).build(), new Nesterovs(0.05, 0.9), 5e-4);
        for (int i = 0; i < 2; i++) {
            BaseLayer l = (BaseLayer) net.getLayerWiseConfigurations().getConf(i).getLayer();
            assertEquals(new Nesterovs(0.05, 0.9), l.getUpdaterByParam("W"));
            assertEquals(new Nesterovs(0.05, 0.9), l.getUpdaterByParam("b"));
            assertEquals(List.of(new L2Regularization(5e-4)), l.getRegularizationByParam("W"));
        }
        // Nesterovs keeps one momentum entry per parameter: (6*5 + 5) + (5*3 + 3) = 53.
        assertEquals(53, net.getUpdater().getStateViewArray().length());
        assertTrue(SdTraining.coefficientParams(net).isEmpty());
    }

    /**
     * ALGORITHMS.md 6.3 decays BatchNorm's gamma and beta; DL4J 1.0.0-M2.1's BatchNormalization gives no
     * regularization for any of its parameters whatever its configuration holds (SdTraining's Javadoc says so).
     * If a DL4J upgrade changes that, this fails and the Javadoc needs updating.
     */
    @Test
    void batchNormParametersAreNotDecayedBecauseDl4jIgnoresTheirRegularization() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.IDENTITY).build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().nOut(3).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .nIn(3).nOut(1).activation(Activation.IDENTITY).build())
                .build());
        net.init();
        SdTraining.configure(net, BucketSwitch.builder(0.1).build(), new Nesterovs(0.05, 0.9), 5e-4);
        BaseLayer bn = (BaseLayer) net.getLayerWiseConfigurations().getConf(1).getLayer();
        assertEquals(List.of(new L2Regularization(5e-4)), bn.getRegularization(), "the routing sets it");
        for (String p : List.of("gamma", "beta")) {
            assertEquals(null, bn.getRegularizationByParam(p), p + ": DL4J applies none");
            assertEquals(new Nesterovs(0.05, 0.9), bn.getUpdaterByParam(p), p + " trains with the other updater");
        }
    }

    @Test
    void somethingOtherThanANetworkIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SdTraining.configure((org.deeplearning4j.nn.api.Model) null, BucketSwitch.builder(0.1).build(),
                        new Nesterovs(0.1, 0.9), 0));
        assertTrue(e.getMessage().contains("MultiLayerNetwork or ComputationGraph, got null"), e.getMessage());
    }
}
