package org.smartdeal.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.LayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The mask M is declared a pretrain parameter, so that DL4J's network updaters skip its updater block in backprop
 * training (saving the block's views and its FreezeUpdater op every step), while M still never changes.
 */
class MaskUpdaterBlockTest {

    private static List<Layer> allSdLayers() {
        return List.of(
                new SdConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(),
                new SdDepthwiseConvolutionLayer.Builder(3, 3).depthMultiplier(1).activation(Activation.RELU).build(),
                new SdDenseLayer.Builder().nOut(6).activation(Activation.TANH).build(),
                new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX)
                        .build());
    }

    private static MultiLayerNetwork net() {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).updater(new Nesterovs(0.05, 0.9)).list();
        for (Layer l : allSdLayers()) {
            list.layer(l);
        }
        MultiLayerConfiguration conf = list.setInputType(InputType.convolutionalFlat(8, 8, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Names of a block's parameters, e.g. "0_M". */
    private static List<String> params(UpdaterBlock block) {
        List<String> out = new ArrayList<>();
        for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
            out.add(p.getLayer().getConfig().getLayerName() + "_" + p.getParamName());
        }
        return out;
    }

    @Test
    void everySdLayerConfigurationCallsOnlyTheMaskAPretrainParameter() {
        for (Layer l : allSdLayers()) {
            assertTrue(l.isPretrainParam("M"), l.getClass().getSimpleName());
            for (String key : List.of("C", "B", "b")) {
                assertFalse(l.isPretrainParam(key), l.getClass().getSimpleName() + " " + key);
            }
        }
    }

    /**
     * Four SD layers give blocks [0_C, 0_B] [0_M] [0_b, 1_C, 1_B] [1_M] ... [3_b] (layer index_parameter): DL4J
     * merges neighbouring parameters with equal updater settings, and M (FreezeUpdater, pretrain) splits them.
     * Exactly the mask blocks are skipped by the network updater.
     */
    private static void assertOnlyTheMaskBlocksAreSkipped(Updater updater, int sdLayers) {
        List<UpdaterBlock> blocks = ((BaseMultiLayerUpdater<?>) updater).getUpdaterBlocks();
        int skipped = 0;
        for (UpdaterBlock block : blocks) {
            List<String> names = params(block);
            boolean mask = names.stream().allMatch(n -> n.endsWith("_M"));
            assertTrue(mask || names.stream().noneMatch(n -> n.endsWith("_M")), "M shares a block: " + names);
            assertEquals(mask, block.skipDueToPretrainConfig(false), "network updater, block " + names);
            skipped += mask ? 1 : 0;
        }
        assertEquals(sdLayers, skipped);
    }

    @Test
    void networkUpdatersSkipExactlyTheMaskBlocks() {
        MultiLayerNetwork net = net();
        assertOnlyTheMaskBlocksAreSkipped(net.getUpdater(), allSdLayers().size());
        ComputationGraph graph = net.toComputationGraph();
        graph.init();
        assertOnlyTheMaskBlocksAreSkipped(graph.getUpdater(), allSdLayers().size());
    }

    /**
     * M stays unchanged over fit steps although its block is skipped, also when its gradient slot holds garbage
     * from before the step (here NaN written into every M gradient view between steps, as a diverged step would
     * leave it): the backward pass zeroes it every time. C still trains.
     */
    @Test
    void masksStayUnchangedInTrainingEvenWithGarbageInTheirGradientSlots() {
        MultiLayerNetwork net = net();
        int n = net.getnLayers();
        List<INDArray> m0 = new ArrayList<>();
        List<INDArray> c0 = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            INDArray m = net.getLayer(i).getParam("M");
            for (long k = 0; k < m.length(); k += 5) {
                m.putScalar(k, 0);
            }
            m0.add(m.dup());
            c0.add(net.getLayer(i).getParam("C").dup());
        }
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 128);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
        for (int r = 0; r < 8; r++) {
            y.putScalar(r, r % 3, 1);
        }
        for (int s = 0; s < 5; s++) {
            net.fit(x, y);
            for (int i = 0; i < n; i++) {
                gradientViews(net.getLayer(i)).get("M").assign(Double.NaN);
            }
        }
        for (int i = 0; i < n; i++) {
            assertArrayEquals(m0.get(i).data().asFloat(), net.getLayer(i).getParam("M").data().asFloat(), 0f,
                    "M of layer " + i);
            assertFalse(c0.get(i).equals(net.getLayer(i).getParam("C")), "C of layer " + i + " must train");
        }
    }

    /** A layer-wise updater visits the mask block, and its FreezeUpdater turns an M gradient into a zero update. */
    @Test
    void aLayerWiseUpdaterStillFreezesTheMask() {
        MultiLayerNetwork net = net();
        net.initGradientsView();
        org.deeplearning4j.nn.api.Layer dense = null;
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof SdDenseLayer) {
                dense = l;
            }
        }
        dense.getGradientsViewArray().assign(1.0);
        Map<String, INDArray> views = gradientViews(dense);
        Gradient g = new DefaultGradient(dense.getGradientsViewArray());
        for (String key : List.of("C", "B", "M", "b")) {
            g.gradientForVariable().put(key, views.get(key));
        }
        new LayerUpdater(dense, null).update(dense, g, 0, 0, 8, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(0.0, views.get("M").amaxNumber().doubleValue(), "M's update");
        assertTrue(views.get("C").amaxNumber().doubleValue() > 0, "C's update");
    }

    /**
     * Skipping M's block changes nothing in training: a network whose SD layers are test subclasses that keep M's
     * block (isPretrainParam false, so the network updater visits it and applies M's FreezeUpdater) ends, after
     * fit steps with Adam, L2 and per-layer gradient renormalization (which divides every gradient slot, M's too,
     * by the layer's norm), with parameters and updater state equal bit for bit. The subclasses are set by
     * rewriting the configuration's JSON, so both networks share every other setting.
     */
    @Test
    void skippingTheMaskBlockTrainsBitForBitAsVisitingIt() {
        MultiLayerConfiguration conf = trainingConf();
        String json = conf.toJson();
        String rewritten = json;
        for (Class<?> c : List.of(SdConvolutionLayer.class, SdDepthwiseConvolutionLayer.class, SdDenseLayer.class,
                SdOutputLayer.class)) {
            String from = "\"" + c.getName() + "\"";
            assertTrue(rewritten.contains(from), "the configuration's JSON names " + c.getName());
            rewritten = rewritten.replace(from, "\"" + MaskUpdaterBlockTest.class.getName() + "$Visited"
                    + c.getSimpleName() + "\"");
        }
        MultiLayerNetwork skipped = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
        skipped.init();
        MultiLayerNetwork visited = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(rewritten));
        visited.init();
        for (org.deeplearning4j.nn.api.Layer l : visited.getLayers()) {
            assertFalse(l.conf().getLayer().isPretrainParam("M"), l.conf().getLayer().getClass().getName());
        }
        assertOnlyTheMaskBlocksAreSkipped(skipped.getUpdater(), allSdLayers().size());
        for (UpdaterBlock block : ((BaseMultiLayerUpdater<?>) visited.getUpdater()).getUpdaterBlocks()) {
            assertFalse(block.skipDueToPretrainConfig(false), "visited network, block " + params(block));
        }
        assertEquals(skipped.params(), visited.params(), "initial parameters");
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 128);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
        for (int r = 0; r < 8; r++) {
            y.putScalar(r, (r * 7) % 3, 1);
        }
        INDArray p0 = skipped.params().dup();
        for (int s = 0; s < 6; s++) {
            skipped.fit(x, y);
            visited.fit(x, y);
        }
        assertFalse(p0.equals(skipped.params()), "the parameters must train");
        assertArrayEquals(visited.params().data().asFloat(), skipped.params().data().asFloat(), 0f, "parameters");
        INDArray us = skipped.getUpdater().getStateViewArray();
        INDArray uv = visited.getUpdater().getStateViewArray();
        assertTrue(us.length() > 0, "Adam has state");
        assertArrayEquals(uv.data().asFloat(), us.data().asFloat(), 0f, "updater state");
    }

    /** {@link #net()}'s layers with Adam, L2 and per-layer L2 renormalization of the gradients. */
    private static MultiLayerConfiguration trainingConf() {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).updater(new Adam(0.01)).l2(1e-3)
                .gradientNormalization(GradientNormalization.RenormalizeL2PerLayer).list();
        for (Layer l : allSdLayers()) {
            list.layer(l);
        }
        return list.setInputType(InputType.convolutionalFlat(8, 8, 2)).build();
    }

    /** SD convolution that keeps M's updater block (test only; see the bit-for-bit test). */
    public static class VisitedSdConvolutionLayer extends SdConvolutionLayer {
        @Override
        public boolean isPretrainParam(String paramName) {
            return false;
        }
    }

    /** SD depthwise convolution that keeps M's updater block. */
    public static class VisitedSdDepthwiseConvolutionLayer extends SdDepthwiseConvolutionLayer {
        @Override
        public boolean isPretrainParam(String paramName) {
            return false;
        }
    }

    /** SD dense layer that keeps M's updater block. */
    public static class VisitedSdDenseLayer extends SdDenseLayer {
        @Override
        public boolean isPretrainParam(String paramName) {
            return false;
        }
    }

    /** SD output layer that keeps M's updater block. */
    public static class VisitedSdOutputLayer extends SdOutputLayer {
        @Override
        public boolean isPretrainParam(String paramName) {
            return false;
        }
    }

    /** A layer's gradient views by parameter key (views of the network's flattened gradient). */
    private static Map<String, INDArray> gradientViews(org.deeplearning4j.nn.api.Layer layer) {
        return layer.conf().getLayer().initializer().getGradientsFromFlattened(layer.conf(),
                layer.getGradientsViewArray());
    }
}
