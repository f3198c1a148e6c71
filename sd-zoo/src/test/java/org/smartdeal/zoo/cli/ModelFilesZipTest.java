package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.codec.SdmFile;

/**
 * {@link ModelFiles#loadZip} refuses DL4J zips that contradict themselves before DL4J allocates their
 * parameters: each case is a valid zip of a 3-2-2 network (14 parameters, 169-byte coefficients.bin) with
 * one entry rewritten, and must fail fast with a message naming the entry and the numbers.
 */
class ModelFilesZipTest {

    @TempDir
    static Path dir;

    private static Map<String, byte[]> entries;

    @BeforeAll
    static void writeValidZip() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(2).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        Path valid = dir.resolve("valid.zip");
        ModelSerializer.writeModel(net, valid.toFile(), false);
        entries = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(valid.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                entries.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        // the layout the checks read: shape header (32 B) + 6 LONGs, data header (33 B) + 14 FLOATs
        assertEquals(32 + 6 * 8 + 33 + 14 * 4, entries.get("coefficients.bin").length);
    }

    private static Path zipWith(String name, String entry, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(p))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getKey().equals(entry) ? content : e.getValue());
                out.closeEntry();
            }
        }
        return p;
    }

    private static String refusal(Path zip) {
        IOException e = assertThrows(IOException.class, () -> ModelFiles.loadZip(zip));
        return e.getMessage();
    }

    /** A .sdm file that is not one is named once, then what the reader found (it was named twice: a walkthrough). */
    @Test
    void aGarbageSdmIsNamedOnce() throws IOException {
        Path p = dir.resolve("garbage.sdm");
        Files.write(p, new byte[] {0x25, 0x14, (byte) 0xda, 0x5a, 1, 2, 3, 4, 5, 6, 7, 8});
        String m = assertThrows(BadInputException.class, () -> ModelFiles.load(p)).getMessage();
        assertTrue(m.startsWith(p + ": cannot load the model: not an .sdm file: magic number must be "), m);
        assertEquals(m.indexOf(p.toString()), m.lastIndexOf(p.toString()), m);
    }

    @Test
    void theValidZipLoads() throws IOException {
        Path p = zipWith("same.zip", "none", null);
        assertEquals(14, ((MultiLayerNetwork) ModelFiles.loadZip(p)).numParams());
    }

    @Test
    void aConfigurationThatInflatesBeyondTheLimitIsRefusedUnread() throws IOException {
        byte[] bomb = new byte[SdmFile.MAX_CONFIG_BYTES + 10];
        java.util.Arrays.fill(bomb, (byte) ' ');
        String m = refusal(zipWith("bomb.zip", "configuration.json", bomb));
        assertTrue(m.contains("configuration.json inflates to more than " + SdmFile.MAX_CONFIG_BYTES), m);
    }

    @Test
    void aDataLengthThatDisagreesWithTheConfigurationIsRefused() throws IOException {
        byte[] c = entries.get("coefficients.bin").clone();
        // the data buffer's length field: after the shape header (32 B + 48 B) and the allocation mode UTF (18 B)
        int at = 32 + 48 + 2 + "MIXED_DATA_TYPES".length();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new DataOutputStream(b).writeLong(0x7fffffffL);
        System.arraycopy(b.toByteArray(), 0, c, at, 8);
        String m = refusal(zipWith("length.zip", "coefficients.bin", c));
        assertEquals("coefficients.bin holds 2147483647 values but configuration.json has 14 parameters", m);
    }

    @Test
    void aConfigurationAskingForMoreThanTheMemoryLimitIsRefused() throws IOException {
        String json = new String(entries.get("configuration.json"), StandardCharsets.UTF_8);
        // the first layer becomes 3 x 2,000,000,000: 6e9 weights, far above any off-heap limit of a test JVM
        String big = json.replaceFirst("\"nout\" ?: ?2", "\"nout\" : 2000000000")
                .replaceFirst("\"nin\" ?: ?2", "\"nin\" : 2000000000");
        assertTrue(!big.equals(json), "the configuration names nin/nout as the test expects");
        String m = refusal(zipWith("huge.zip", "configuration.json", big.getBytes(StandardCharsets.UTF_8)));
        assertTrue(m.startsWith("configuration.json asks for "), m);
        assertTrue(m.contains("more than this JVM's off-heap limit"), m);
    }

    /**
     * The limit is inclusive ("at most MAX_CONFIG_BYTES once inflated"): the valid configuration padded with spaces to
     * exactly 64 MiB loads.
     */
    @Test
    void aConfigurationOfExactlyTheLimitLoads() throws IOException {
        byte[] json = entries.get("configuration.json");
        byte[] padded = java.util.Arrays.copyOf(json, SdmFile.MAX_CONFIG_BYTES);
        java.util.Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        Path p = zipWith("exact.zip", "configuration.json", padded);
        assertEquals(14, ((MultiLayerNetwork) ModelFiles.loadZip(p)).numParams());
    }

    /**
     * The refusal's numbers: 3 x 2e9 weights + 2e9 biases, then 2e9 x 2 + 2 = 12,000,000,002 parameters, 4 bytes each,
     * 45,776 MB (48,000,000,008 / 2^20, rounded down); the limit is ND4J's, in MB.
     */
    @Test
    void theMemoryRefusalNamesTheParametersAndBothSizesInMegabytes() throws IOException {
        String json = new String(entries.get("configuration.json"), StandardCharsets.UTF_8);
        String big = json.replaceFirst("\"nout\" ?: ?2", "\"nout\" : 2000000000")
                .replaceFirst("\"nin\" ?: ?2", "\"nin\" : 2000000000");
        String m = refusal(zipWith("huge2.zip", "configuration.json", big.getBytes(StandardCharsets.UTF_8)));
        assertEquals("configuration.json asks for 12000000002 parameters (45776 MB as float32), more than this JVM's "
                + "off-heap limit of " + org.bytedeco.javacpp.Pointer.maxBytes() / (1 << 20) + " MB; if the model is "
                + "real, raise the limit (SMARTDEAL_JAVA_OPTS, e.g. -Xmx or -Dorg.bytedeco.javacpp.maxbytes)", m);
    }

    /**
     * The shape information's length: 2 x rank + 4 entries, so 4 (rank 0) and 68 (rank 32) are lengths ND4J can write
     * and reach the vector rule, while 3, 69 and 70 are not ND4J's.
     */
    @Test
    void shapeInformationLengthsAreCheckedAtTheirEnds() throws IOException {
        assertEquals("coefficients.bin: the parameters' shape information [0, 14, 1, 99] is not a vector's (rank 1 or 2,"
                + " 2 x rank + 4 entries)", refusal(zipWith("len4.zip", "coefficients.bin", shapeInfo(0, 14, 1, 99))));
        long[] rank32 = new long[68];
        rank32[0] = 32;
        String m = refusal(zipWith("len68.zip", "coefficients.bin", shapeInfo(rank32)));
        assertTrue(m.startsWith("coefficients.bin: the parameters' shape information [32, 0, ")
                && m.endsWith("] is not a vector's (rank 1 or 2, 2 x rank + 4 entries)"), m);
        for (int n : new int[] {3, 69, 70}) {
            assertEquals("coefficients.bin: shape information of length " + n + " and type LONG is not ND4J's (LONG or "
                    + "INT, 2 x rank + 4 entries, rank <= 32)", refusal(zipWith("len" + n + ".zip", "coefficients.bin",
                    shapeInfo(new long[n]))));
        }
    }

    /** The vector rule's other clauses: a rank-2 array with no dimension of 1, an order other than 'c' and 'f'. */
    @Test
    void aMatrixOrAnUnknownOrderIsRefused() throws IOException {
        // rank 2, shape [2, 7], strides [7, 1], extras, ews 1, 'c': 14 values, but not a vector
        assertEquals("coefficients.bin: the parameters' shape information [2, 2, 7, 7, 1, 0, 1, 99]: the parameters must be"
                + " a vector of the 14 values that configuration.json asks for", refusal(zipWith("matrix.zip",
                "coefficients.bin", shapeInfo(2, 2, 7, 7, 1, 0, 1, 99))));
        assertEquals("coefficients.bin: the parameters' shape information [1, 14, 1, 8192, 1, 120]: order must be 'c' (99)"
                + " or 'f' (102), got 120", refusal(zipWith("order.zip", "coefficients.bin",
                shapeInfo(1, 14, 1, 8192, 1, 'x'))));
    }

    /** A zip without coefficients.bin for a configuration with parameters; a configuration DL4J cannot read. */
    @Test
    void aMissingCoefficientsEntryOrAnUnreadableConfigurationIsRefused() throws IOException {
        Path p = dir.resolve("nocoeff.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(p))) {
            out.putNextEntry(new ZipEntry("configuration.json"));
            out.write(entries.get("configuration.json"));
            out.closeEntry();
        }
        assertEquals("no coefficients.bin entry, but configuration.json has 14 parameters", refusal(p));
        // a network without parameters needs the entry too: DL4J refused the zip in its own words ("Model wasnt found
        // within file: gotConfig: [true], gotCoefficients: [false]", an IllegalStateException) after the checks let it by
        MultiLayerNetwork none = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build())
                .build());
        none.init();
        Path q = dir.resolve("noparams-nocoeff.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(q))) {
            out.putNextEntry(new ZipEntry("configuration.json"));
            out.write(none.getLayerWiseConfigurations().toJson().getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        assertEquals("no coefficients.bin entry; a DL4J ModelSerializer zip holds one even for a network without "
                + "parameters", refusal(q));
        String m = refusal(zipWith("garbled.zip", "configuration.json", "not json".getBytes(StandardCharsets.UTF_8)));
        assertTrue(m.startsWith("configuration.json is not a network configuration this DL4J (1.0.0-M2.1) can read: "), m);
        // JSON, but not a network: DL4J's reader fails with a NullPointerException about its own getters, which the
        // message does not repeat
        assertEquals("configuration.json is not a network configuration this DL4J (1.0.0-M2.1) can read: a part it "
                + "needs is missing or null (a MultiLayerNetwork's layer list \"confs\", a graph's \"vertices\")",
                refusal(zipWith("empty-json.zip", "configuration.json", "{}".getBytes(StandardCharsets.UTF_8))));
    }

    /** A ComputationGraph zip: loaded as a graph, its configuration checked as a MultiLayerNetwork's is. */
    @Test
    void aGraphZipLoadsAsAGraphAndIsChecked() throws IOException {
        org.deeplearning4j.nn.graph.ComputationGraph g = new org.deeplearning4j.nn.graph.ComputationGraph(
                new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("in")
                        .addLayer("fc", new DenseLayer.Builder().nIn(3).nOut(2).activation(Activation.TANH).build(), "in")
                        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(2)
                                .activation(Activation.SOFTMAX).build(), "fc")
                        .setOutputs("out").build());
        g.init();
        Path p = dir.resolve("graph.zip");
        ModelSerializer.writeModel(g, p.toFile(), false);
        org.deeplearning4j.nn.graph.ComputationGraph loaded = (org.deeplearning4j.nn.graph.ComputationGraph) ModelFiles.loadZip(p);
        assertEquals(g.params(), loaded.params());
        String json;
        try (ZipFile z = new ZipFile(p.toFile())) {
            json = new String(z.getInputStream(z.getEntry("configuration.json")).readAllBytes(), StandardCharsets.UTF_8);
        }
        // the graph's own data type comes first in its JSON (each vertex's layer configuration repeats one after it)
        String last = "\"dataType\" : \"FLOAT\"";
        int at = json.indexOf(last);
        assertTrue(at > 0 && at < json.indexOf("\"vertices\""), json);
        Map<String, byte[]> saved = entries;
        try {
            entries = new LinkedHashMap<>();
            try (ZipFile z = new ZipFile(p.toFile())) {
                for (ZipEntry e : java.util.Collections.list(z.entries())) {
                    entries.put(e.getName(), z.getInputStream(e).readAllBytes());
                }
            }
            String intJson = json.substring(0, at) + "\"dataType\" : \"INT\"" + json.substring(at + last.length());
            assertEquals("configuration.json: dataType must be a floating-point type (DOUBLE, FLOAT, HALF or BFLOAT16),"
                    + " got INT", refusal(zipWith("intgraph.zip", "configuration.json",
                    intJson.getBytes(StandardCharsets.UTF_8))));
        } finally {
            entries = saved;
        }
    }

    /** A coefficients.bin whose shape information is {@code info} (LONG), followed by nothing. */
    private static byte[] shapeInfo(long... info) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        o.writeUTF("MIXED_DATA_TYPES");
        o.writeLong(info.length);
        o.writeUTF("LONG");
        for (long v : info) {
            o.writeLong(v);
        }
        o.flush();
        return b.toByteArray();
    }

    @Test
    void aTruncatedOrMissingCoefficientsEntryIsRefused() throws IOException {
        byte[] c = java.util.Arrays.copyOf(entries.get("coefficients.bin"), 40);
        assertEquals("coefficients.bin ends inside its header (truncated)",
                refusal(zipWith("trunc.zip", "coefficients.bin", c)));
        byte[] shortData = java.util.Arrays.copyOf(entries.get("coefficients.bin"), 32 + 48 + 33 + 10);
        assertEquals("coefficients.bin inflates to 123 bytes, too few for its 14 values of FLOAT (56 bytes after a 113-byte header)",
                refusal(zipWith("short.zip", "coefficients.bin", shortData)));
    }

    /**
     * ND4J reads the values through the shape information it is given: a stride of 1000 on the parameter vector
     * read outside the buffer (the JVM crashed in native code), a stride of 0 repeated the first weight, an integer
     * type read the float bits as integers (a fuzzing audit, 2026-12-05). Both headers are checked now.
     */
    @Test
    void parameterShapesAndTypesNdj4WouldMisreadAreRefused() throws IOException {
        byte[] c = entries.get("coefficients.bin").clone();
        // the shape information [rank 1, 14, stride 1, extras, ews 1, 'c'] starts after its 32-byte header
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new DataOutputStream(b).writeLong(1000);
        System.arraycopy(b.toByteArray(), 0, c, 32 + 2 * 8, 8);
        assertEquals("coefficients.bin: the parameters' shape information [1, 14, 1000, 8192, 1, 99]: strides must be"
                + " [1] and the element-wise stride 1 (a contiguous array)", refusal(zipWith("stride.zip",
                "coefficients.bin", c)));

        byte[] valid = entries.get("coefficients.bin");
        int typeAt = 32 + 48 + 2 + "MIXED_DATA_TYPES".length() + 8; // the data type's UTF string
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        t.write(valid, 0, typeAt);
        new DataOutputStream(t).writeUTF("INT");
        t.write(valid, typeAt + 2 + "FLOAT".length(), 14 * 4);
        assertEquals("coefficients.bin: data type 'INT' is not a floating-point ND4J data type (DOUBLE, FLOAT, HALF or"
                + " BFLOAT16)", refusal(zipWith("int.zip", "coefficients.bin", t.toByteArray())));

        String json = new String(entries.get("configuration.json"), StandardCharsets.UTF_8);
        String last = "\"dataType\" : \"FLOAT\"";
        int at = json.lastIndexOf(last);
        assertTrue(at > 0, json);
        String intJson = json.substring(0, at) + "\"dataType\" : \"INT\"" + json.substring(at + last.length());
        assertEquals("configuration.json: dataType must be a floating-point type (DOUBLE, FLOAT, HALF or BFLOAT16),"
                + " got INT", refusal(zipWith("intconf.zip", "configuration.json",
                intJson.getBytes(StandardCharsets.UTF_8))));
    }

    /**
     * A network without parameters (activation and loss layers only) is a valid DL4J model: ND4J writes its empty
     * parameter array with shape information [1, 0, 0, 8200, 0, 99] (rank 1, length 0, the EMPTY flag), which the
     * vector rule above refused as "dimensions must be in [1, 0]". It loads; a non-empty array for it does not.
     */
    @Test
    void aNetworkWithoutParametersLoads() throws IOException {
        MultiLayerNetwork none = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().activation(Activation.RELU)
                        .build())
                .layer(new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build())
                .build());
        none.init();
        Path p = dir.resolve("none.zip");
        ModelSerializer.writeModel(none, p.toFile(), false);
        MultiLayerNetwork loaded = (MultiLayerNetwork) ModelFiles.loadZip(p);
        assertEquals(0, loaded.numParams());
        assertEquals(2, loaded.getnLayers());

        // the 14-parameter zip's coefficients under the parameterless configuration
        Map<String, byte[]> saved = entries;
        try (ZipFile z = new ZipFile(p.toFile())) {
            entries = new LinkedHashMap<>(saved);
            entries.put("configuration.json", z.getInputStream(z.getEntry("configuration.json")).readAllBytes());
        }
        try {
            assertEquals("coefficients.bin: the parameters' shape information [1, 14, 1, 8192, 1, 99]: "
                    + "configuration.json asks for no parameters, so the array must be empty (a dimension of 0)",
                    refusal(zipWith("none14.zip", "none", null)));
        } finally {
            entries = saved;
        }
    }

    /**
     * ND4J before 1.0.0-alpha wrote its buffers under the allocation modes DIRECT, HEAP or JAVACPP with 4-byte lengths
     * and INT shape information; DL4J 1.0.0-M2.1 still reads them (ND4J's {@code BaseDataBuffer.readHeader}), and the
     * header check read them as 8-byte lengths ("ends inside its header"). Here the valid zip's parameters rewritten
     * in that form load to the same values.
     */
    @Test
    void aZipWithTheLegacyFourByteLengthsLoads() throws IOException {
        MultiLayerNetwork valid = (MultiLayerNetwork) ModelFiles.loadZip(zipWith("same14.zip", "none", null));
        float[] p = valid.params().toFloatVector();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        int[] info = {2, 1, 14, 14, 1, 0, 1, 99}; // rank 2, shape [1, 14], strides [14, 1], offset 0, ews 1, 'c'
        o.writeUTF("JAVACPP");
        o.writeInt(info.length);
        o.writeUTF("INT");
        for (int v : info) {
            o.writeInt(v);
        }
        o.writeUTF("JAVACPP");
        o.writeInt(p.length);
        o.writeUTF("FLOAT");
        for (float f : p) {
            o.writeFloat(f);
        }
        o.flush();
        byte[] legacy = b.toByteArray();
        MultiLayerNetwork loaded = (MultiLayerNetwork) ModelFiles.loadZip(zipWith("legacy.zip", "coefficients.bin",
                legacy));
        assertEquals(valid.params(), loaded.params());
        // its length fields are checked as the 8-byte ones are
        byte[] longer = legacy.clone();
        int dataLength = 2 + 7 + 4 + 2 + 3 + 8 * 4 + 2 + 7; // after the shape buffer and the data's mode
        longer[dataLength + 3] = 15;
        assertEquals("coefficients.bin holds 15 values but configuration.json has 14 parameters",
                refusal(zipWith("legacy15.zip", "coefficients.bin", longer)));
        byte[] shortData = java.util.Arrays.copyOf(legacy, legacy.length - 4);
        // header: 2 + 7 (JAVACPP) + 4 + 2 + 3 (INT) + 8 x 4, then 2 + 7 + 4 + 2 + 5 (FLOAT) = 70 bytes; 126 - 4 = 122
        assertEquals("coefficients.bin inflates to 122 bytes, too few for its 14 values of FLOAT (56 bytes after a "
                + "70-byte header)", refusal(zipWith("legacyshort.zip", "coefficients.bin", shortData)));
    }
}
