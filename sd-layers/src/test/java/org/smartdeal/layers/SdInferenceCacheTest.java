package org.smartdeal.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.impl.SdRuntimeLayer;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * The inference cache of the rebuilt W: an inference pass with the cache on gives exactly the
 * output of a rebuild (reference: a clone of the network, whose cache is off), reuses W on the next
 * pass, and every way the parameters change (fit and its updater step, training forward, layer
 * setters, explicit invalidation after network-level setParams) drops the cache.
 */
class SdInferenceCacheTest {

    private MultiLayerNetwork net;
    private INDArray x;
    private INDArray y;

    @BeforeEach
    void setUp() {
        net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).list()
                .layer(new SdConvolutionLayer.Builder(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}).name("conv")
                        .nOut(4).activation(Activation.RELU).build())
                .layer(new SdDenseLayer.Builder().name("fc").nOut(7).activation(Activation.TANH).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 5, 2)).build());
        net.init();
        Nd4j.getRandom().setSeed(9);
        x = Nd4j.rand(DataType.FLOAT, 4, 2, 5, 5);
        y = Nd4j.eye(3).castTo(DataType.FLOAT).getRows(0, 1, 2, 0);
    }

    /** Output of an identical network that rebuilds W on every pass (clones start with the cache off). */
    private INDArray reference() {
        MultiLayerNetwork c = net.clone();
        assertFalse(((SdRuntimeLayer) c.getLayer(0)).isInferenceCacheEnabled());
        return c.output(x);
    }

    private boolean allValid() {
        boolean all = true;
        for (Layer l : net.getLayers()) {
            all &= ((SdRuntimeLayer) l).isInferenceCacheValid();
        }
        return all;
    }

    private boolean noneValid() {
        for (Layer l : net.getLayers()) {
            if (((SdRuntimeLayer) l).isInferenceCacheValid()) {
                return false;
            }
        }
        return true;
    }

    @Test
    void cachedInferenceEqualsRebuildAndIsReused() {
        INDArray plain = net.output(x);
        assertEquals(3, SdInferenceCache.enable(net));
        assertTrue(noneValid(), "enabling starts empty");
        assertEquals(plain, net.output(x));
        assertTrue(allValid());
        assertEquals(plain, net.output(x));
        // Proof of reuse: a write the layers cannot see does not show until the cache is dropped.
        INDArray c = net.getLayer(1).getParam(SdParamInitializer.C_KEY);
        c.muli(2);
        assertEquals(plain, net.output(x), "cached W is reused, not rebuilt");
        assertEquals(3, SdInferenceCache.invalidate(net));
        INDArray changed = net.output(x);
        assertNotEquals(plain, changed);
        assertEquals(reference(), changed);
        SdInferenceCache.disable(net);
        assertFalse(((SdRuntimeLayer) net.getLayer(0)).isInferenceCacheEnabled());
        assertTrue(noneValid());
    }

    @Test
    void fitAndItsUpdaterStepDropTheCache() {
        SdInferenceCache.enable(net);
        INDArray before = net.output(x);
        assertTrue(allValid());
        net.fit(x, y);
        assertTrue(noneValid(), "a fit step drops every layer's cached W");
        INDArray after = net.output(x);
        assertNotEquals(before, after, "the step changed the parameters");
        assertEquals(reference(), after, "inference after fit uses the updated C and B");
        assertTrue(allValid());
        // Several steps in a row with inference in between stay consistent.
        for (int i = 0; i < 3; i++) {
            net.fit(x, y);
            assertEquals(reference(), net.output(x));
        }
    }

    @Test
    void trainingForwardDropsTheCache() {
        SdInferenceCache.enable(net);
        net.output(x);
        net.output(x, true);
        assertTrue(noneValid());
        net.feedForward(x, false);
        assertTrue(allValid());
    }

    @Test
    void layerSettersDropTheCache() {
        SdInferenceCache.enable(net);
        net.output(x);
        Layer fc = net.getLayer(1);
        fc.setParam(SdParamInitializer.C_KEY, fc.getParam(SdParamInitializer.C_KEY).mul(0.5));
        assertFalse(((SdRuntimeLayer) fc).isInferenceCacheValid());
        assertEquals(reference(), net.output(x));
        Layer out = net.getLayer(2);
        out.setParam(SdParamInitializer.B_KEY, out.getParam(SdParamInitializer.B_KEY).mul(3));
        assertFalse(((SdRuntimeLayer) out).isInferenceCacheValid());
        assertEquals(reference(), net.output(x));
        Layer conv = net.getLayer(0);
        conv.setParamTable(conv.paramTable());
        assertFalse(((SdRuntimeLayer) conv).isInferenceCacheValid());
    }

    @Test
    void layerSetParamsWorksAndDropsTheCache() {
        // DL4J sizes layer.setParams(...) from conf.variables(), which the SD initializer must fill
        SdInferenceCache.enable(net);
        INDArray before = net.output(x);
        Layer fc = net.getLayer(1);
        assertEquals(fc.paramTable().keySet().stream().toList(), fc.conf().variables());
        fc.setParams(fc.params().mul(0.5));
        assertFalse(((SdRuntimeLayer) fc).isInferenceCacheValid());
        INDArray after = net.output(x);
        assertNotEquals(before, after);
        assertEquals(reference(), after);
    }

    @Test
    void networkSetParamsNeedsExplicitInvalidation() {
        SdInferenceCache.enable(net);
        INDArray before = net.output(x);
        net.setParams(net.params().mul(1.5));
        SdInferenceCache.invalidate(net);
        INDArray after = net.output(x);
        assertNotEquals(before, after);
        assertEquals(reference(), after);
    }

    @Test
    void rejectsUninitialisedOrForeignModels() {
        assertThrows(IllegalArgumentException.class, () -> SdInferenceCache.enable(null));
    }
}
