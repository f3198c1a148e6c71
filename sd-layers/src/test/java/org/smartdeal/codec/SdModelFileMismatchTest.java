package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.smartdeal.layers.SdDenseLayer;
import org.smartdeal.layers.SdOutputLayer;

/**
 * Files whose entries do not match their CONFIG, or hold values the network cannot represent: each is
 * rejected with a message naming the file, the section and the value, before the network allocates
 * what the configuration asks for.
 */
class SdModelFileMismatchTest {

    /** SD dense 6 -> 4 (n = 3: 4 units of 2 rows), dense 4 -> 5, SD output 5 -> 3. */
    private static MultiLayerConfiguration conf(long fc1In, long fc1Out, long fc2In, long fc2Out) {
        return new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new SdDenseLayer.Builder().name("fc1").nIn(fc1In).nOut(fc1Out).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().name("fc2").nIn(fc2In).nOut(fc2Out).activation(Activation.RELU).build())
                .layer(new SdOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(fc2Out).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    private static SdmFile sample() {
        MultiLayerNetwork n = new MultiLayerNetwork(conf(6, 4, 4, 5));
        n.init();
        return SdModelFile.toSdm(n);
    }

    private static SdmFile withConfig(SdmFile f, String json) {
        return new SdmFile(f.networkType(), json, f.properties(), f.entries());
    }

    private static SdmFile withEntry(SdmFile f, String name, UnaryOperator<SdmEntry> change) {
        List<SdmEntry> out = new ArrayList<>();
        for (SdmEntry e : f.entries()) {
            out.add(e.name().equals(name) ? change.apply(e) : e);
        }
        return new SdmFile(f.networkType(), f.configJson(), f.properties(), out);
    }

    /** The SD layer '0' with every non-zero of C and B's scale changed. */
    private static SdmFile withLayer0(SdmFile f, int cExponentShift, Integer fracBits) {
        return withEntry(f, "0", e -> {
            SdLayerEntry s = (SdLayerEntry) e;
            SdLayerData d = s.layer();
            double[] c = d.c().clone();
            for (int i = 0; i < c.length; i++) {
                c[i] = Math.scalb(c[i], cExponentShift);
            }
            Int8Basis b = fracBits == null ? d.b() : Int8Basis.oneScale(d.b().values(), fracBits, d.sliceCount());
            return new SdLayerEntry(s.name(), s.paramPrefix(), s.weightShape(),
                    new SdLayerData(d.sliceCount(), d.sliceRows(), d.width(), d.unitRows(), c, b), s.mask());
        });
    }

    private static String editLayer(String json, int layer, String key, double value) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(json);
        ((ObjectNode) root.get("confs").get(layer).get("layer")).put(key, value);
        return m.writeValueAsString(root);
    }

    private static SdmFormatException rejected(SdmFile f) {
        return assertThrows(SdmFormatException.class, () -> SdModelFile.build(f, "x.sdm"));
    }

    @Test
    void theSampleBuilds() throws Exception {
        SdModelFile.check(sample(), "x.sdm", SdmFile.FORMAT_MINOR);
        assertEquals(3, ((MultiLayerNetwork) SdModelFile.build(sample(), "x.sdm")).getLayers().length);
    }

    @Test
    void coefficientsOutsideFloat32AreRejectedNotTurnedIntoInfinityOrZero() {
        SdmFile f = sample();
        // 2^140 overflows float32, 2^-200 flushes to 0: the network is FLOAT
        for (int shift : new int[] {140, -200}) {
            SdmFormatException e = rejected(withLayer0(f, shift, null));
            assertTrue(e.getMessage().startsWith("x.sdm: section SD_LAYER '0': C[")
                    && e.getMessage().contains("is not representable in the network's data type FLOAT"), e.getMessage());
            // inspect's check, which builds nothing, refuses the file with the same message
            SdmFormatException c = assertThrows(SdmFormatException.class,
                    () -> SdModelFile.check(withLayer0(f, shift, null), "x.sdm", SdmFile.FORMAT_MINOR));
            assertEquals(e.getMessage(), c.getMessage());
        }
        // f = -200: B's values are q * 2^200 (Infinity as float); f = 200: q * 2^-200 (0 as float);
        // f = +-1100: q * 2^-+1100, 0 or Infinity already as double
        for (int fracBits : new int[] {-200, 200, -1100, 1100}) {
            SdmFormatException e = rejected(withLayer0(f, 0, fracBits));
            SdmFormatException c = assertThrows(SdmFormatException.class,
                    () -> SdModelFile.check(withLayer0(f, 0, fracBits), "x.sdm", SdmFile.FORMAT_MINOR));
            assertEquals(e.getMessage(), c.getMessage());
            assertTrue(e.getMessage().startsWith("x.sdm: section SD_LAYER '0': B[")
                    && e.getMessage().contains(" x 2^" + (-fracBits) + " = ")
                    && e.getMessage().contains("FLOAT (it would become " + (fracBits < 0 ? "Infinity" : "0.0")),
                    e.getMessage());
        }
    }

    @Test
    void aWeightShapeOtherThanTheConfiguredOneIsRejected() {
        SdmFile f = sample();
        // SD layer 0 is [nIn, nOut] = [6, 4]: a larger shape would inflate the paper CR's weight count
        SdmFile big = withEntry(f, "0", e -> new SdLayerEntry("0", "0", new long[] {6000, 4},
                ((SdLayerEntry) e).layer(), ((SdLayerEntry) e).mask()));
        SdmFormatException e = rejected(big);
        assertEquals("x.sdm: section SD_LAYER '0' has weight shape [6000, 4] = 24000 weights but the configuration's"
                + " layer has 4 units x 6 weights = 24", e.getMessage());
        // inspect's check (geometry only) sees the count too
        SdLayerEntry entry = big.sdLayer("0").orElseThrow();
        SdDenseLayer fc1 = (SdDenseLayer) conf(6, 4, 4, 5).getConf(0).getLayer();
        assertThrows(SdmFormatException.class, () -> SdModelFile.checkGeometry(entry, fc1.sliceShape(), "x.sdm", true));
        // the same count in another shape: only the full check knows
        SdmFile swapped = withEntry(f, "0", x -> new SdLayerEntry("0", "0", new long[] {4, 6},
                ((SdLayerEntry) x).layer(), ((SdLayerEntry) x).mask()));
        assertEquals("x.sdm: section SD_LAYER '0' has weight shape [4, 6] but the configuration's layer has [6, 4]",
                rejected(swapped).getMessage());
    }

    @Test
    void aFloatArrayWithAnotherRoleIsRejected() {
        SdmFile f = sample();
        SdmFile weightAsOther = withEntry(f, "1_W", e -> new FloatArrayEntry("1_W", FloatArrayEntry.Role.OTHER,
                ((FloatArrayEntry) e).shape(), ((FloatArrayEntry) e).values()));
        assertEquals("x.sdm: section FLOAT_ARRAY '1_W' has role OTHER (0) but parameter W of DenseLayer(name=fc2,"
                + " index=1) is a dense weight: the role must be DENSE_WEIGHT (1)", rejected(weightAsOther).getMessage());
        SdmFile biasAsWeight = withEntry(f, "0_b", e -> new FloatArrayEntry("0_b", FloatArrayEntry.Role.DENSE_WEIGHT,
                ((FloatArrayEntry) e).shape(), ((FloatArrayEntry) e).values()));
        SdmFormatException e = rejected(biasAsWeight);
        assertTrue(e.getMessage().startsWith("x.sdm: section FLOAT_ARRAY '0_b' has role DENSE_WEIGHT (1)")
                && e.getMessage().endsWith("the role must be OTHER (0)"), e.getMessage());
    }

    @Test
    void aConfigurationAskingForHugeLayersIsRejectedBeforeAllocatingThem() {
        SdmFile f = sample();
        // SD fc1 2,000,000 -> 300 would need 2 x 600M floats for C and M alone
        long t0 = System.nanoTime();
        SdmFormatException e = rejected(withConfig(f, conf(2_000_000, 300, 300, 5).toJson()));
        assertTrue(e.getMessage().startsWith("x.sdm: section SD_LAYER '0' holds [K, m, n] = [4, 2, 3] but the"
                + " configuration needs [1041900, 192, 3]"), e.getMessage());
        // a dense layer 2,000,000 -> 300 (600M weights) against the 4 x 5 the file holds
        e = rejected(withConfig(f, conf(6, 4, 2_000_000, 300).toJson()));
        assertEquals("x.sdm: section CONFIG: DenseLayer(name=fc2, index=1) has 600000300 parameters but its sections"
                + " [FLOAT_ARRAY '1_W' [4, 5], FLOAT_ARRAY '1_b' [5]] hold 25", e.getMessage());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "rejected without allocating");
    }

    @Test
    void configurationsWithoutLayersOrOfAnotherNetworkTypeNameTheRule() throws Exception {
        SdmFile f = sample();
        assertEquals("x.sdm: section CONFIG: the configuration must be a JSON object (a DL4J MultiLayerConfiguration,"
                + " as META states network type 1 (MULTI_LAYER_NETWORK)), got null", rejected(withConfig(f, "null")).getMessage());
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(f.configJson());
        root.putArray("confs");
        assertEquals("x.sdm: section CONFIG: the MultiLayerConfiguration has no layers ('confs' is empty) (META states"
                + " network type 1 (MULTI_LAYER_NETWORK))", rejected(withConfig(f, m.writeValueAsString(root))).getMessage());
        SdmFile asGraph = new SdmFile(NetworkType.COMPUTATION_GRAPH, f.configJson(), f.properties(), f.entries());
        assertEquals("x.sdm: section CONFIG: the ComputationGraphConfiguration has no layers ('vertices' is missing);"
                + " it holds 'confs' as a MultiLayerConfiguration does, but META states network type 2"
                + " (COMPUTATION_GRAPH)", rejected(asGraph).getMessage());
    }

    @Test
    void invalidSdHyperparametersAreRejectedByTheCheckInspectCanUse() throws Exception {
        SdmFile f = sample();
        SdmFile negative = withConfig(f, editLayer(f.configJson(), 0, "maxCoeff", -1));
        SdmFormatException e = assertThrows(SdmFormatException.class,
                () -> SdModelFile.check(negative, "x.sdm", SdmFile.FORMAT_MINOR));
        assertEquals("x.sdm: section CONFIG: SdDenseLayer(name=fc1, index=0).maxCoeff must be a power of two in"
                + " [2^-10, 2^20], got -1.0", e.getMessage());
        SdmFile theta = withConfig(f, editLayer(f.configJson(), 2, "theta", 2));
        e = assertThrows(SdmFormatException.class, () -> SdModelFile.check(theta, "x.sdm", SdmFile.FORMAT_MINOR));
        assertEquals("x.sdm: section CONFIG: SdOutputLayer(name=out, index=2).theta must be in [0, 1], got 2.0",
                e.getMessage());
    }

    @Test
    void nonFiniteFloatArraysAreNeitherWrittenNorRead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FloatArrayEntry.of("0_b", new long[] {2}, new float[] {1, Float.NaN}));
        assertEquals("FloatArrayEntry(0_b).values[1] must be finite (a parameter is never NaN or infinite), got NaN",
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FloatArrayEntry.of("0_b", new long[] {1}, new float[] {Float.NEGATIVE_INFINITY}));
    }
}
