package org.smartdeal.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.impl.SdRuntimeLayer;

/**
 * {@link SdInferenceCache} reaches SD layers that DL4J runs frozen: in a {@code FrozenLayer} or
 * {@code FrozenLayerWithBackprop} of the configuration, and in the FrozenLayer that TransferLearning's feature
 * extractor wraps each layer in. Their parameters never change, so a cached W stays right through training; the
 * reference is the same network without the cache, which must give the same outputs and train to the same parameters.
 */
class SdInferenceCacheFrozenTest {

    private static final INDArray X;
    private static final DataSet DATA;

    static {
        Nd4j.getRandom().setSeed(21);
        X = Nd4j.rand(DataType.FLOAT, 8, 2, 6, 6).subi(0.5).muli(4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
        for (int r = 0; r < 8; r++) {
            y.putScalar(r, r % 3, 1);
        }
        DATA = new DataSet(X, y);
    }

    /** Frozen SD conv c1 (2 -> 4, 3x3), SD dense fc (16 -> 6) frozen with backprop, SD output out (6 -> 3). */
    private static MultiLayerNetwork frozenInConfiguration() {
        return network(true);
    }

    private static MultiLayerNetwork network(boolean frozen) {
        org.deeplearning4j.nn.conf.layers.Layer c1 = new SdConvolutionLayer.Builder(3, 3).name("c1").nOut(4)
                .activation(Activation.TANH).build();
        org.deeplearning4j.nn.conf.layers.Layer fc = new SdDenseLayer.Builder().name("fc").nOut(6)
                .activation(Activation.TANH).build();
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).list()
                .layer(frozen ? new FrozenLayer(c1) : c1)
                .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(2, 2).build())
                .layer(frozen ? new FrozenLayerWithBackprop(fc) : fc)
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 2)).build());
        n.init();
        return n;
    }

    private static SdRuntimeLayer sdInside(Layer l) {
        Layer inside = l instanceof org.deeplearning4j.nn.layers.FrozenLayer f ? f.getInsideLayer()
                : l instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop f ? f.getInsideLayer() : l;
        return (SdRuntimeLayer) inside;
    }

    @Test
    void frozenSdLayersOfAConfigurationAreCachedAndTrainAsWithout() {
        MultiLayerNetwork cached = frozenInConfiguration();
        MultiLayerNetwork plain = cached.clone();
        assertEquals(3, SdInferenceCache.enable(cached));
        assertEquals(plain.output(X), cached.output(X));
        for (int i : new int[] {0, 2, 3}) {
            assertTrue(sdInside(cached.getLayer(i)).isInferenceCacheValid(), "layer " + i);
        }
        INDArray before = cached.params().dup();
        for (int s = 0; s < 3; s++) {
            cached.fit(DATA);
            plain.fit(DATA);
        }
        assertNotEquals(before, cached.params(), "out trains");
        assertEquals(plain.params(), cached.params());
        assertEquals(plain.output(X), cached.output(X));
        assertEquals(3, SdInferenceCache.disable(cached));
    }

    @Test
    void aFeatureExtractorsFrozenSdLayersAreCachedInANetworkAndAGraph() {
        MultiLayerNetwork base = network(false);
        MultiLayerNetwork net = new TransferLearning.Builder(base)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(0.05)).build())
                .setFeatureExtractor(2).build();
        MultiLayerNetwork plain = net.clone();
        assertEquals(3, SdInferenceCache.enable(net));
        assertEquals(plain.output(X), net.output(X));
        net.fit(DATA);
        plain.fit(DATA);
        assertEquals(plain.params(), net.params());

        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("c1", new SdConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("fc", new SdDenseLayer.Builder().nOut(6).activation(Activation.TANH).build(), "c1")
                .addLayer("out", new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 2)).build());
        g.init();
        ComputationGraph tg = new TransferLearning.GraphBuilder(g)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(0.05)).build())
                .setFeatureExtractor("fc").build();
        ComputationGraph tplain = tg.clone();
        assertEquals(3, SdInferenceCache.enable(tg));
        assertEquals(tplain.outputSingle(X), tg.outputSingle(X));
        assertTrue(sdInside(tg.getLayer("c1")).isInferenceCacheValid());
        tg.fit(DATA);
        tplain.fit(DATA);
        assertEquals(tplain.params(), tg.params());
        assertEquals(tplain.outputSingle(X), tg.outputSingle(X));
    }
}
