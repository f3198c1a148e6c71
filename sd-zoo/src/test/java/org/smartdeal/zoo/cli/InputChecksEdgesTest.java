package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smartdeal.codec.SdmFile;

/**
 * The input checks shared by the commands, called directly: {@link InputPaths#requireFile} and how
 * {@link ModelFiles} tells a file's kind from its first bytes and its name.
 */
class InputChecksEdgesTest {

    @TempDir
    Path dir;

    @Test
    void anInputThatIsNotAReadableFileIsNamedWithItsOption() throws IOException {
        BadInputException e = assertThrows(BadInputException.class,
                () -> InputPaths.requireFile("--plan", dir, "a plan JSON file"));
        assertEquals("--plan " + dir + ": is a directory, expected a plan JSON file", e.getMessage());
        Path missing = dir.resolve("none.json");
        e = assertThrows(BadInputException.class, () -> InputPaths.requireFile("--plan", missing, "a plan JSON file"));
        assertEquals("--plan " + missing + ": no such file", e.getMessage());
        // a positional argument: the path alone
        e = assertThrows(BadInputException.class, () -> InputPaths.requireFile(null, missing, "a model file"));
        assertEquals(missing + ": no such file", e.getMessage());
        Path file = Files.writeString(dir.resolve("plan.json"), "{}");
        InputPaths.requireFile("--plan", file, "a plan JSON file");
        IOException cause = new IOException("gone");
        assertSame(cause, InputPaths.noSuchFile("x", cause).getCause());
    }

    @Test
    void aDeviceIsNotARegularFile() {
        Path dev = Path.of("/dev/null");
        assumeTrue(Files.exists(dev) && !Files.isRegularFile(dev), "no /dev/null device: skipping the device case");
        BadInputException e = assertThrows(BadInputException.class, () -> InputPaths.requireFile("--in", dev, "an image"));
        assertEquals("--in /dev/null: not a regular file (a device, pipe or socket), expected an image", e.getMessage());
    }

    /** The kind by the first bytes: the .sdm magic, a zip's "PK\3\4", or neither (a short or unreadable file too). */
    @Test
    void aFilesKindComesFromItsFirstBytes() throws IOException {
        assertEquals(ModelFiles.Content.SDM, ModelFiles.content(Files.write(dir.resolve("a"), SdmFile.MAGIC)));
        assertEquals(ModelFiles.Content.ZIP, ModelFiles.content(Files.write(dir.resolve("b"), new byte[] {'P', 'K', 3, 4})));
        assertEquals(ModelFiles.Content.OTHER, ModelFiles.content(Files.write(dir.resolve("c"), new byte[] {'P', 'K', 3})));
        assertEquals(ModelFiles.Content.OTHER, ModelFiles.content(Files.write(dir.resolve("d"), new byte[] {'P', 'K', 3, 5})));
        assertEquals(ModelFiles.Content.OTHER, ModelFiles.content(Files.write(dir.resolve("e"), new byte[] {'P', 'K', 5, 4})));
        assertEquals(ModelFiles.Content.OTHER, ModelFiles.content(Files.write(dir.resolve("f"), new byte[] {'P', 'J', 3, 4})));
        assertEquals(ModelFiles.Content.OTHER, ModelFiles.content(Files.write(dir.resolve("g"), new byte[] {'Q', 'K', 3, 4})));
        // the magic cut by one byte
        assertEquals(ModelFiles.Content.OTHER, ModelFiles.content(Files.write(dir.resolve("h"),
                java.util.Arrays.copyOf(SdmFile.MAGIC, SdmFile.MAGIC.length - 1))));
        // a folder cannot be read as a stream
        assertEquals(ModelFiles.Content.OTHER, ModelFiles.content(dir));
    }

    /** A model file whose name and first bytes disagree, or whose name is neither kind's, is refused by name. */
    @Test
    void aModelFileIsTakenByItsNameAndContent() throws IOException {
        Path zipNamedSdm = Files.write(dir.resolve("m.sdm"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFiles.load(zipNamedSdm));
        assertEquals(zipNamedSdm + ": is a zip archive, not a .sdm file; a DL4J ModelSerializer model must be named .zip",
                e.getMessage());
        Path sdmNamedZip = Files.write(dir.resolve("m.zip"), SdmFile.MAGIC);
        e = assertThrows(BadInputException.class, () -> ModelFiles.load(sdmNamedZip));
        assertEquals(sdmNamedZip + ": is a SmartDeal .sdm model named .zip; rename it to .sdm", e.getMessage());
        Path other = Files.write(dir.resolve("m.bin"), SdmFile.MAGIC);
        e = assertThrows(BadInputException.class, () -> ModelFiles.load(other));
        assertEquals(other + ": model files must end in .sdm (SmartDeal) or .zip (DL4J ModelSerializer), got 'm.bin'",
                e.getMessage());
        Path notZip = Files.write(dir.resolve("n.zip"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        e = assertThrows(BadInputException.class, () -> ModelFiles.load(notZip));
        assertTrue(e.getMessage().startsWith(notZip + ": not a DL4J ModelSerializer .zip: the file is not a "
                + "readable zip archive ("), e.getMessage());
    }

    /**
     * Extensions are matched in any case (files copied from case-insensitive systems): a DL4J zip named NET.ZIP
     * loads, the name/content checks apply to M.SDM and M.Zip as to their lower-case spellings.
     */
    @Test
    void extensionsAreMatchedInAnyCase() throws IOException {
        assertTrue(ModelFiles.named(Path.of("a/NET.ZIP"), ".zip"));
        assertTrue(ModelFiles.named(Path.of("m.Sdm"), ".sdm"));
        assertFalse(ModelFiles.named(Path.of("m.sdm.bak"), ".sdm"));
        assertFalse(ModelFiles.named(Path.of("/"), ".sdm"));
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = fcOut();
        Path upper = dir.resolve("NET.ZIP");
        org.deeplearning4j.util.ModelSerializer.writeModel(net, upper.toFile(), false);
        org.deeplearning4j.nn.api.Model loaded = ModelFiles.load(upper);
        assertEquals(net.params(), loaded.params());
        Path zipNamedSdm = Files.write(dir.resolve("M.SDM"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFiles.load(zipNamedSdm));
        assertEquals(zipNamedSdm + ": is a zip archive, not a .sdm file; a DL4J ModelSerializer model must be named .zip",
                e.getMessage());
        Path sdmNamedZip = Files.write(dir.resolve("M.Zip"), SdmFile.MAGIC);
        e = assertThrows(BadInputException.class, () -> ModelFiles.load(sdmNamedZip));
        assertEquals(sdmNamedZip + ": is a SmartDeal .sdm model named .zip; rename it to .sdm", e.getMessage());
    }

    /** A NaN or infinite parameter is named with its layer (by name, else index); a layer without parameters is fine. */
    @Test
    void aNetworkWithANonFiniteParameterIsRefusedByLayer() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                        .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(3).nOut(2).build())
                        .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().build())
                        .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().name("out").nIn(2).nOut(2).build())
                        .build());
        net.init();
        ModelFiles.requireFiniteParameters(net, "--dense m.zip", "converted");
        assertFalse(ModelFiles.hasSdLayers(net));
        net.getLayer(2).getParam("b").putScalar(1, Double.POSITIVE_INFINITY);
        BadInputException e = assertThrows(BadInputException.class,
                () -> ModelFiles.requireFiniteParameters(net, "--dense m.zip", "converted"));
        assertEquals("--dense m.zip: parameter b of layer out holds NaN or infinite values; only a network with finite "
                + "parameters can be converted", e.getMessage());
        net.getLayer(2).getParam("b").putScalar(1, 0);
        net.getLayer(0).getParam("W").putScalar(0, 1, Double.NaN);
        e = assertThrows(BadInputException.class, () -> ModelFiles.requireFiniteParameters(net, "IN", "evaluated"));
        assertEquals("IN: parameter W of layer " + net.getLayer(0).conf().getLayer().getLayerName() + " holds NaN or "
                + "infinite values; only a network with finite parameters can be evaluated", e.getMessage());
    }

    /** hasSdLayers: true as soon as one layer is in SD form. */
    @Test
    void aConvertedNetworkHoldsSdLayers() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = fcOut();
        org.deeplearning4j.nn.api.Model sd = org.smartdeal.zoo.convert.SdConverter.convert(net,
                org.smartdeal.zoo.convert.ConversionPlan.fromJson("{\"layers\": {\"out\": {\"skip\": true}}}")).network();
        assertTrue(ModelFiles.hasSdLayers(sd));
    }

    /** load: the file is checked first ("no such file", not the reader's words), then read by its extension. */
    @Test
    void aModelIsLoadedByItsExtension() throws IOException {
        Path missing = dir.resolve("gone.sdm");
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFiles.load(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = fcOut();
        Path zip = dir.resolve("m.zip");
        org.deeplearning4j.util.ModelSerializer.writeModel(net, zip.toFile(), false);
        assertEquals(net.params(), ((org.deeplearning4j.nn.multilayer.MultiLayerNetwork) ModelFiles.load(zip)).params());
        org.deeplearning4j.nn.api.Model sd = org.smartdeal.zoo.convert.SdConverter.convert(net,
                org.smartdeal.zoo.convert.ConversionPlan.defaultPlan()).network();
        Path sdm = dir.resolve("m.sdm");
        org.smartdeal.codec.SdModelFile.write(sd, sdm);
        assertTrue(ModelFiles.hasSdLayers(ModelFiles.load(sdm)));
    }

    /** A dense network of two layers, fc (6 -> 4) and out (4 -> 2), initialised with seed 1. */
    private static org.deeplearning4j.nn.multilayer.MultiLayerNetwork fcOut() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).list()
                        .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().name("fc").nIn(6).nOut(4).build())
                        .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().name("out").nIn(4).nOut(2).build())
                        .build());
        net.init();
        return net;
    }
}
