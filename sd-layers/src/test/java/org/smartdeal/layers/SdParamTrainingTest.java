package org.smartdeal.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Per-parameter routing of the SD layer configurations ({@link PerParamUpdaterRouting}): a parameter set
 * with {@code setParamTraining} answers with its own updater and regularizations, the others keep the
 * layer's weight/bias settings, M stays frozen; the routing survives JSON and clone.
 */
class SdParamTrainingTest {

    private static List<Layer> layers() {
        return List.of(
                new SdDenseLayer.Builder().name("d").nIn(6).nOut(4).activation(Activation.TANH).build(),
                new SdConvolutionLayer.Builder(3, 3).name("c").nIn(2).nOut(3).build(),
                new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("o").nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).build());
    }

    private static void route(Layer l) {
        PerParamUpdaterRouting r = (PerParamUpdaterRouting) l;
        r.setParamTraining("C", new Sgd(0.5), List.of(new L2Regularization(1e-3), new L1Regularization(2e-3)));
        r.setParamTraining("B", new Nesterovs(0.1, 0.9), List.of(new WeightDecay(5e-4, true)));
    }

    @Test
    void routedParametersUseTheirOwnSettingsAndTheRestTheLayers() {
        for (Layer l : layers()) {
            BaseLayer b = (BaseLayer) l;
            b.setIUpdater(new Sgd(0.01));
            b.setBiasUpdater(new Sgd(0.02));
            route(l);
            assertEquals(new Sgd(0.5), b.getUpdaterByParam("C"));
            assertEquals(List.of(new L2Regularization(1e-3), new L1Regularization(2e-3)),
                    b.getRegularizationByParam("C"));
            assertEquals(new Nesterovs(0.1, 0.9), b.getUpdaterByParam("B"));
            assertEquals(new Sgd(0.02), b.getUpdaterByParam("b"));
            assertInstanceOf(FreezeUpdater.class, b.getUpdaterByParam("M"));
            assertEquals(List.of(), b.getRegularizationByParam("M"));
            assertEquals(Set.of("M"), ((PerParamUpdaterRouting) l).frozenParamKeys());
        }
    }

    @Test
    void theRoutingSurvivesJsonAndCloneIsDeep() {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().list();
        list.layer(layers().get(0));
        list.layer(layers().get(2));
        MultiLayerConfiguration conf = list.build();
        route(conf.getConf(0).getLayer());
        route(conf.getConf(1).getLayer());
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertEquals(new Sgd(0.5), ((BaseLayer) back.getConf(1).getLayer()).getUpdaterByParam("C"));

        SdDenseLayer d = (SdDenseLayer) conf.getConf(0).getLayer();
        SdDenseLayer copy = d.clone();
        assertEquals(d, copy);
        assertNotSame(d.getUpdaterByParam("C"), copy.getUpdaterByParam("C"));
        copy.setParamTraining("C", new Sgd(0.7), List.of());
        assertEquals(new Sgd(0.5), d.getUpdaterByParam("C"), "the original must not see the copy's change");
    }

    @Test
    void theMaskAndUnknownKeysAreRejectedNamingTheLayer() {
        SdDenseLayer d = (SdDenseLayer) layers().get(0);
        assertNull(d.getParamTraining());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.setParamTraining("M", new Sgd(0.1), List.of()));
        assertTrue(e.getMessage().contains("SdDenseLayer(name=d)") && e.getMessage().contains("'M' is frozen"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.setParamTraining("W", new Sgd(0.1), List.of()));
        assertTrue(e.getMessage().contains("has no parameter 'W'; its keys are [C, B, M, b]"), e.getMessage());
    }
}
