package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdOutputLayer;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * Networks whose stored parameters differ from what the layer configurations' initializers list:
 * frozen layers (FrozenLayer, FrozenLayerWithBackprop: stored as the layer they wrap) and BatchNorm
 * with locked gamma/beta (not parameters, not stored). Each round-trips through the file exactly.
 */
class SdModelFileFrozenTest {

    @TempDir
    Path dir;

    /** Moves every parameter off its initial value; SD layers get C in {0, +-2^p}, mask = C != 0, int8-exact B. */
    private static void fill(Layer[] layers, long seed) {
        Random r = new Random(seed);
        for (Layer l : layers) {
            if (l.conf().getLayer() instanceof SdLayer) {
                INDArray c = l.getParam(SdParamInitializer.C_KEY);
                INDArray mask = l.getParam(SdParamInitializer.MASK_KEY);
                for (long i = 0; i < c.length(); i++) {
                    double v = r.nextInt(3) == 0 ? 0 : (r.nextBoolean() ? 1 : -1) * Math.scalb(1.0, -r.nextInt(8));
                    c.putScalar(i, v);
                    mask.putScalar(i, v != 0 ? 1 : 0);
                }
                INDArray b = l.getParam(SdParamInitializer.B_KEY);
                double[] v = Nd4j.rand(DataType.DOUBLE, b.shape()).subi(0.5).data().asDouble();
                b.assign(Nd4j.create(Int8Basis.roundTrip(v), b.shape(), 'c').castTo(b.dataType()));
                INDArray bias = l.getParam("b");
                if (bias != null) {
                    bias.assign(Nd4j.rand(DataType.DOUBLE, bias.shape()).castTo(bias.dataType()));
                }
            } else {
                for (INDArray p : l.paramTable().values()) {
                    p.assign(Nd4j.rand(DataType.DOUBLE, p.shape()).addi(0.5).castTo(p.dataType()));
                }
            }
        }
    }

    private Model roundTrip(Model net, Layer[] layers) throws IOException {
        fill(layers, 5);
        Path file = dir.resolve("f.sdm");
        SdModelFile.write(net, file);
        SdmReader.Result r = SdmReader.read(file);
        SdModelFile.check(r.file(), file.toString(), r.formatMinor());
        return SdModelFile.read(file);
    }

    private static MultiLayerNetwork frozenDenseMln() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new FrozenLayer(new DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.TANH).build()))
                .layer(new FrozenLayerWithBackprop(new DenseLayer.Builder().nIn(4).nOut(5)
                        .activation(Activation.RELU).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        n.init();
        return n;
    }

    @Test
    void frozenDenseLayersInAMultiLayerNetworkRoundTrip() throws IOException {
        MultiLayerNetwork net = frozenDenseMln();
        MultiLayerNetwork back = (MultiLayerNetwork) roundTrip(net, net.getLayers());
        assertEquals(net.params(), back.params());
        assertEquals(net.paramTable().keySet(), back.paramTable().keySet());
        assertInstanceOf(org.deeplearning4j.nn.layers.FrozenLayer.class, back.getLayer(0));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 6);
        assertEquals(net.output(x), back.output(x));
    }

    @Test
    void aFrozenSdDenseLayerInAMultiLayerNetworkRoundTrips() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(2).list()
                .layer(new FrozenLayer(new SdDenseLayer.Builder().name("fc").nIn(10).nOut(7)
                        .activation(Activation.TANH).build()))
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(7).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        MultiLayerNetwork back = (MultiLayerNetwork) roundTrip(net, net.getLayers());
        assertTrue(SdModelFile.toSdm(net).sdLayer("0").isPresent(), "the frozen SD layer is stored as SD_LAYER");
        assertEquals(net.params(), back.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 10);
        assertEquals(net.output(x), back.output(x));
    }

    @Test
    void aFrozenDenseLayerInAComputationGraphRoundTrips() throws IOException {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("in")
                .addLayer("fz", new FrozenLayer(new DenseLayer.Builder().nOut(5).activation(Activation.RELU).build()), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fz")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build());
        g.init();
        ComputationGraph back = (ComputationGraph) roundTrip(g, g.getLayers());
        assertEquals(g.params(), back.params());
        assertEquals(g.paramTable().keySet(), back.paramTable().keySet());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4);
        assertEquals(g.outputSingle(x), back.outputSingle(x));
    }

    @Test
    void batchNormalizationWithLockedGammaBetaRoundTrips() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(7).activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().nOut(7).lockGammaBeta(true).gamma(1.5).beta(0.25).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(7).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        assertFalse(net.getLayer(1).paramTable().containsKey("gamma"), "locked gamma is not a parameter");
        MultiLayerNetwork back = (MultiLayerNetwork) roundTrip(net, net.getLayers());
        assertEquals(net.params(), back.params());
        assertEquals(net.paramTable().keySet(), back.paramTable().keySet());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 6);
        assertEquals(net.output(x), back.output(x));
    }

    private static SdmFile replacing(SdmFile f, String name, FloatArrayEntry with) {
        List<SdmEntry> out = new ArrayList<>();
        for (SdmEntry e : f.entries()) {
            out.add(e.name().equals(name) ? with : e);
        }
        return new SdmFile(f.networkType(), f.configJson(), f.properties(), out);
    }

    @Test
    void aFrozenLayerWhoseWeightHasTheWrongRoleOrShapeIsRejected() {
        MultiLayerNetwork net = frozenDenseMln();
        SdmFile f = SdModelFile.toSdm(net);
        FloatArrayEntry w = f.floatArray("0_W").orElseThrow();
        assertEquals(FloatArrayEntry.Role.DENSE_WEIGHT, w.role(), "the writer gives the inner layer's role");

        SdmFile wrongRole = replacing(f, "0_W", new FloatArrayEntry("0_W", FloatArrayEntry.Role.OTHER, w.shape(), w.values()));
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> SdModelFile.build(wrongRole, "x.sdm"));
        assertTrue(e.getMessage().contains("'0_W' has role OTHER"), e.getMessage());
        assertThrows(SdmFormatException.class, () -> SdModelFile.check(wrongRole, "x.sdm", SdmFile.FORMAT_MINOR));

        SdmFile wrongShape = replacing(f, "0_W", new FloatArrayEntry("0_W", w.role(), new long[] {w.shape()[1], w.shape()[0]},
                w.values()));
        e = assertThrows(SdmFormatException.class, () -> SdModelFile.build(wrongShape, "x.sdm"));
        assertTrue(e.getMessage().contains("'0_W' has shape"), e.getMessage());

        // a weight one row larger than the configured 6 x 4 layer: the counts disagree before anything is allocated
        float[] more = java.util.Arrays.copyOf(w.values(), w.values().length + (int) w.shape()[1]);
        SdmFile tooBig = replacing(f, "0_W", new FloatArrayEntry("0_W", w.role(),
                new long[] {w.shape()[0] + 1, w.shape()[1]}, more));
        e = assertThrows(SdmFormatException.class, () -> SdModelFile.check(tooBig, "x.sdm", SdmFile.FORMAT_MINOR));
        assertTrue(e.getMessage().contains("parameters but its sections"), e.getMessage());
    }
}
