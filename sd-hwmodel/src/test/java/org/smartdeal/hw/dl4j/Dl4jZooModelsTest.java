package org.smartdeal.hw.dl4j;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.Darknet19;
import org.deeplearning4j.zoo.model.FaceNetNN4Small2;
import org.deeplearning4j.zoo.model.InceptionResNetV1;
import org.deeplearning4j.zoo.model.LeNet;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.TinyYOLO;
import org.deeplearning4j.zoo.model.UNet;
import org.deeplearning4j.zoo.model.Xception;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.Workload;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every architecture of DL4J's model zoo that DL4J itself can build is priced, with its random initial weights and
 * the paper's default statistics (no pretrained weights are fetched). They cover what hand-built test networks do
 * not: separable convolutions (Xception), 2 x 2 Same convolutions (U-Net), 1 x 3 and 3 x 1 kernels
 * (InceptionResNetV1), center-loss outputs and deep residual graphs. Left out: VGG-16/19 and AlexNet (nothing
 * new, 0.5 GB of weights each), YOLO2 (Darknet19's layers at a larger size), NASNet (DL4J M2.1 cannot build it:
 * its configuration fails in DL4J's own NASNetHelper).
 *
 * <p>The reference is an independent count from DL4J's configuration and DL4J's own activation types: one priced
 * layer per convolution, depthwise, dense and output layer and two per separable convolution, and their MACs
 * {@code outH outW (nIn d kh kw + nIn d nOut)} (separable), {@code outH outW nIn d kh kw} (depthwise),
 * {@code outH outW nOut nIn kh kw} (convolution) and {@code nIn nOut} (dense), with no padding arithmetic.
 */
class Dl4jZooModelsTest {

    static Stream<ZooModel<?>> models() {
        return Stream.of(LeNet.builder().numClasses(10).build(), SimpleCNN.builder().numClasses(10).build(),
            ResNet50.builder().numClasses(10).build(), SqueezeNet.builder().numClasses(10).build(),
            Darknet19.builder().numClasses(10).build(), TinyYOLO.builder().numClasses(10).build(),
            Xception.builder().numClasses(10).build(), InceptionResNetV1.builder().numClasses(10).build(),
            FaceNetNN4Small2.builder().numClasses(10).build(), UNet.builder().numClasses(1).build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyLayerIsPricedWithDl4jsShapes(ZooModel<?> zoo) throws Exception {
        Model net = zoo.init();
        InputType in = inputType(zoo);
        long[] expected = count(net, in); // {priced layers, MACs}

        Knobs knobs = Knobs.defaults();
        Workload w = Workloads.of(net, zoo.getClass().getSimpleName(), knobs, ArchSpec.paper().withKnobs(knobs), in);
        List<LayerSpec> specs = w.layers().stream().map(Workload.Entry::layer).toList();
        assertEquals(expected[0], specs.size(), "priced layers");
        assertEquals(expected[1], (long) specs.stream().mapToDouble(LayerSpec::macs).sum(), "MACs");

        EnergyReport r = EnergyReport.of(w, Workloads.PAPER_STATS_NOTE, List.of("all"), knobs);
        for (String acc : EnergyReport.NAMES) {
            int priced = r.layersPriced(acc);
            // SCNN has no FC model; every other design prices every layer
            long want = acc.equals("scnn") ? specs.stream().filter(l -> l.type() != LayerType.FC).count() : specs.size();
            assertEquals(want, priced, acc + " layers priced");
            double e = r.results().get(acc).energyPj(), c = r.results().get(acc).cycles();
            assertTrue(e > 0 && Double.isFinite(e) && c > 0 && Double.isFinite(c), acc + ": " + e + " pJ, " + c + " cycles");
        }
    }

    /**
     * Measured statistics on two architectures with unusual inputs to measure: Xception's separable layers (the
     * pointwise input computed) and U-Net's 2 x 2 Same convolutions (padded 0 before and 1 after; until session 40 a
     * zero row and column were appended to their input), at
     * small input sizes, on 2 random images. Every priced layer is measured on both images and its statistics are
     * in their ranges (dA in [0, 1], tSD at least 1); the values themselves are checked on the twin networks of
     * {@code WorkloadsTest}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("smallModels")
    void statisticsAreMeasuredThroughEveryLayer(ZooModel<?> zoo) throws Exception {
        Model net = zoo.init();
        InputType in = inputType(zoo);
        long[] shape = in.getShape(true);
        shape[0] = 2;
        INDArray x = Nd4j.rand(DataType.FLOAT, shape);
        Workloads.Extracted layers = Workloads.extract(net, in);
        ActStatsCollector c = new ActStatsCollector(net, layers, ArchSpec.paper());
        c.add(x);
        assertEquals(2, c.images());
        List<ActStats> st = c.stats();
        assertEquals(layers.layers().size(), st.size());
        for (int i = 0; i < st.size(); i++) {
            ActStats a = st.get(i);
            String id = layers.layers().get(i).spec().id();
            assertTrue(a.dA() >= 0 && a.dA() <= 1 && a.tSD() >= 1 && a.dOut() >= 0 && a.dOut() <= 1, id + ": " + a);
        }
    }

    static Stream<ZooModel<?>> smallModels() {
        return Stream.of(Xception.builder().numClasses(10).inputShape(new int[] {3, 71, 71}).build(),
            UNet.builder().numClasses(1).inputShape(new int[] {3, 64, 64}).build());
    }

    /** The model's stated input, channels first (metaData() is deprecated in DL4J without a replacement). */
    @SuppressWarnings("deprecation")
    private static InputType inputType(ZooModel<?> zoo) {
        int[] s = zoo.metaData().getInputShape()[0];
        return InputType.convolutional(s[1], s[2], s[0]);
    }

    /** {priced layers, MACs} counted from the configuration and DL4J's activation types. */
    private static long[] count(Model net, InputType in) {
        long[] n = new long[2];
        if (net instanceof MultiLayerNetwork m) {
            MultiLayerConfiguration conf = m.getLayerWiseConfigurations();
            List<InputType> outs = conf.getLayerActivationTypes(in);
            for (int i = 0; i < conf.getConfs().size(); i++) {
                InputType t = i == 0 ? in : outs.get(i - 1);
                InputPreProcessor pre = conf.getInputPreProcess(i);
                add(n, conf.getConf(i).getLayer(), pre == null ? t : pre.getOutputType(t), outs.get(i));
            }
        } else {
            ComputationGraphConfiguration conf = ((ComputationGraph) net).getConfiguration();
            Map<String, InputType> types = new java.util.HashMap<>(conf.getLayerActivationTypes(in));
            types.put(conf.getNetworkInputs().get(0), in);
            conf.getVertices().forEach((name, v) -> {
                if (!(v instanceof LayerVertex lv)) return;
                InputType t = types.get(conf.getVertexInputs().get(name).get(0));
                add(n, lv.getLayerConf().getLayer(), lv.getPreProcessor() == null ? t : lv.getPreProcessor().getOutputType(t),
                    types.get(name));
            });
        }
        return n;
    }

    private static void add(long[] n, Layer l, InputType in, InputType out) {
        if (l instanceof ConvolutionLayer c) {
            var ci = (InputType.InputTypeConvolutional) in;
            var co = (InputType.InputTypeConvolutional) out;
            long hw = co.getHeight() * co.getWidth(), k = (long) c.getKernelSize()[0] * c.getKernelSize()[1], nIn = ci.getChannels();
            if (l instanceof SeparableConvolution2D sc) {
                n[0] += 2;
                n[1] += hw * (nIn * sc.getDepthMultiplier() * k + nIn * sc.getDepthMultiplier() * co.getChannels());
            } else if (l instanceof DepthwiseConvolution2D d) {
                n[0]++;
                n[1] += hw * nIn * d.getDepthMultiplier() * k;
            } else {
                n[0]++;
                n[1] += hw * co.getChannels() * nIn * k;
            }
        } else if (l instanceof DenseLayer || l instanceof BaseOutputLayer) {
            FeedForwardLayer f = (FeedForwardLayer) l;
            n[0]++;
            n[1] += f.getNIn() * f.getNOut();
        }
    }
}
