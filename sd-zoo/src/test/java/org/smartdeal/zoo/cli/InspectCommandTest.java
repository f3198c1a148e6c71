package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.smartdeal.codec.SdLayerData;
import org.smartdeal.codec.SdLayerEntry;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.codec.SdmEntry;
import org.smartdeal.codec.SdmFile;
import org.smartdeal.codec.SdmWriter;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdSliceShape;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * {@code inspect}'s C density counts real rows only, as {@code convert} does, on a layer whose
 * rows do not divide into sliceRows.
 *
 * <p>Hand count for the test layer: SdDense nIn=20, nOut=2, basisWidth n=3, sliceRows 4. Each unit
 * has R = ceil(20/3) = 7 rows, S = ceil(7/4) = 2 slices of m = 4 rows, so K = 4 and packed C holds
 * K*m*n = 48 entries, of which U*R*n = 2*7*3 = 42 are real: row 3 of each unit's second slice
 * (slices k = 1 and 3) pads 7 rows up to 8. With every real entry 1 except unit 0's first slice
 * (k = 0, 4*3 = 12 entries) set to 0, C has 30 non-zeros: density 30/42 over real rows (the padded
 * count would give 30/48 = 0.625).
 */
class InspectCommandTest {

    private static final SdSliceShape SHAPE = new SdSliceShape(2, 20, 3, 4);

    @TempDir
    Path dir;

    /** C as described in the class comment, with 1 also written into the padding rows. */
    private static double[] handC() {
        double[] c = new double[48];
        Arrays.fill(c, 1.0);
        Arrays.fill(c, 0, 12, 0.0);
        return c;
    }

    private static SdDenseLayer sdLayer(String name) {
        return new SdDenseLayer.Builder().name(name).nIn(20).nOut(2).basisWidth(3).sliceRows(4)
                .activation(Activation.TANH).build();
    }

    private static OutputLayer out() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(2)
                .activation(Activation.SOFTMAX).build();
    }

    private static void setC(INDArray c) {
        assertArrayEquals(SHAPE.coefficientShape(), c.shape());
        c.assign(Nd4j.create(handC(), c.shape(), 'c').castTo(c.dataType()));
    }

    private JsonNode inspect(Model net) throws IOException {
        Path sdm = dir.resolve("net.sdm");
        SdModelFile.write(net, sdm);
        CliRun r = CliRun.of("inspect", sdm.toString(), "--json");
        assertEquals(SmartDeal.EXIT_OK, r.exit(), r.err());
        return new ObjectMapper().readTree(r.out()).get("layers").get(0);
    }

    @Test
    void shapeHasPaddingRows() {
        assertEquals(7, SHAPE.rows());
        assertEquals(2, SHAPE.slicesPerUnit());
        assertEquals(4, SHAPE.sliceHeight());
        assertEquals(48, SHAPE.coefficientLength());
    }

    @Test
    void realRowNonZerosSkipsPaddingRowsAndLeavesCUnmodified() {
        double[] c = handC();
        assertEquals(30, InspectCommand.realRowNonZeros(SHAPE, c));
        assertArrayEquals(handC(), c);
        double[] ones = new double[48];
        Arrays.fill(ones, 1.0);
        assertEquals(42, InspectCommand.realRowNonZeros(SHAPE, ones));
        assertEquals(0, InspectCommand.realRowNonZeros(SHAPE, new double[48]));
        assertThrows(IllegalArgumentException.class, () -> InspectCommand.realRowNonZeros(SHAPE, new double[42]));
    }

    @Test
    void multiLayerNetworkDensityCountsRealRows() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(sdLayer("fc")).layer(out()).build());
        net.init();
        setC(net.getLayer(0).getParam(SdParamInitializer.C_KEY));
        JsonNode l = inspect(net);
        assertEquals("0", l.get("name").asText());
        assertEquals("fc", l.get("layer").asText(), "the section of layer 0 is named after the configured layer");
        assertEquals(30, l.get("cNonZeros").asLong());
        assertEquals(42, l.get("cEntries").asLong());
        assertEquals(48, l.get("cEntriesPadded").asLong());
        assertEquals(30.0 / 42, l.get("cDensity").asDouble(), 1e-12);
    }

    @Test
    void computationGraphDensityCountsRealRows() throws IOException {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("in").addLayer("fc", sdLayer("fc"), "in").addLayer("out", out(), "fc")
                .setOutputs("out").setInputTypes(InputType.feedForward(20)).build());
        g.init();
        setC(g.getLayer("fc").getParam(SdParamInitializer.C_KEY));
        JsonNode l = inspect(g);
        assertEquals("fc", l.get("name").asText());
        assertFalse(l.has("layer"), "a graph's sections carry the layer names already");
        assertEquals(30.0 / 42, l.get("cDensity").asDouble(), 1e-12);
    }

    /**
     * An SD layer frozen by TransferLearning on the SD network (README: its frozen SD layers stay as they are) is
     * inspected like any: inspect looked for SD layers in the stored configuration without opening the frozen
     * wrapper and refused the file ("section SD_LAYER '0' matches no SD layer of the stored configuration"), which
     * evaluate and export read. Expected: the hand count of the class comment, 30 of 42 real entries, in a network and
     * in a graph.
     */
    @Test
    void aFrozenSdLayerIsInspectedAsTheLayerItWraps() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(sdLayer("fc")).layer(out()).build());
        net.init();
        setC(net.getLayer(0).getParam(SdParamInitializer.C_KEY));
        MultiLayerNetwork frozen = new org.deeplearning4j.nn.transferlearning.TransferLearning.Builder(net)
                .setFeatureExtractor(0).build();
        JsonNode l = inspect(frozen);
        assertEquals("0", l.get("name").asText());
        assertEquals(30, l.get("cNonZeros").asLong());
        assertEquals(30.0 / 42, l.get("cDensity").asDouble(), 1e-12);

        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("in").addLayer("fc", sdLayer("fc"), "in").addLayer("out", out(), "fc")
                .setOutputs("out").setInputTypes(InputType.feedForward(20)).build());
        g.init();
        setC(g.getLayer("fc").getParam(SdParamInitializer.C_KEY));
        ComputationGraph frozenGraph = new org.deeplearning4j.nn.transferlearning.TransferLearning.GraphBuilder(g)
                .setFeatureExtractor("fc").build();
        JsonNode gl = inspect(frozenGraph);
        assertEquals("fc", gl.get("name").asText());
        assertEquals(30.0 / 42, gl.get("cDensity").asDouble(), 1e-12);
    }

    @Test
    void tableShowsRealRowDensity() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(sdLayer("fc")).layer(out()).build());
        net.init();
        setC(net.getLayer(0).getParam(SdParamInitializer.C_KEY));
        Path sdm = dir.resolve("net.sdm");
        SdModelFile.write(net, sdm);
        CliRun r = CliRun.of("inspect", sdm.toString());
        assertEquals(SmartDeal.EXIT_OK, r.exit(), r.err());
        assertTrue(r.out().contains(String.format(Locale.ROOT, "%.4f", 30.0 / 42)), r.out());
        assertTrue(r.out().contains("\n0 (fc) "), r.out());
        // the bit counts add up to the total stated with them
        java.util.regex.Matcher bits = java.util.regex.Pattern.compile("bits: index (\\d+), C (\\d+), tables (\\d+), "
                + "B (\\d+), dense weights (\\d+), other (\\d+); total (\\d+) bits = (\\d+) bytes").matcher(r.out());
        assertTrue(bits.find(), r.out());
        long sum = 0;
        for (int i = 1; i <= 6; i++) {
            sum += Long.parseLong(bits.group(i));
        }
        assertEquals(sum, Long.parseLong(bits.group(7)));
        assertEquals(sum / 8, Long.parseLong(bits.group(8)));
    }

    /**
     * A 2.3 file whose SD layer states R = 8 real rows per unit where the configuration's layer has
     * R = ceil(20 / 3) = 7 (K, m and n agree: 8 rows are still 2 slices of 4): inspect rejects it as bad
     * input, naming the section and both values, as loading the file would.
     */
    @Test
    void aStoredRealRowCountThatDisagreesWithTheConfigurationIsBadInput() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(sdLayer("fc")).layer(out()).build());
        net.init();
        setC(net.getLayer(0).getParam(SdParamInitializer.C_KEY));
        SdmFile f = SdModelFile.toSdm(net);
        List<SdmEntry> entries = new ArrayList<>();
        for (SdmEntry e : f.entries()) {
            if (e instanceof SdLayerEntry s) {
                SdLayerData d = s.layer();
                e = new SdLayerEntry(s.name(), s.paramPrefix(), s.weightShape(),
                        new SdLayerData(d.sliceCount(), d.sliceRows(), d.width(), 8, d.c(), d.b()), s.mask());
            }
            entries.add(e);
        }
        Path sdm = dir.resolve("r8.sdm");
        SdmWriter.write(sdm, new SdmFile(f.networkType(), f.configJson(), f.properties(), entries));
        CliRun r = CliRun.of("inspect", sdm.toString());
        assertEquals(SmartDeal.EXIT_BAD_INPUT, r.exit(), r.err());
        assertTrue(r.err().contains("section SD_LAYER '0' holds R = 8 real rows per unit but the configuration needs"
                + " R = ceil(20 weights / n = 3) = 7"), r.err());
    }
}
