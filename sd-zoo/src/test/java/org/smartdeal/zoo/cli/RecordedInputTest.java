package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.smartdeal.codec.SdmFile;
import org.smartdeal.codec.SdmReader;
import org.smartdeal.codec.SdmWriter;

/**
 * The input shape a {@code .sdm} records ({@link RecordedInput}): convert writes the {@code --input} it was given into
 * the file's META properties, and energy, export, evaluate and inspect read it, so that a network whose configuration
 * states no input size (a first convolution without a flat-input preprocessor, as DL4J builds a CNN, in a
 * MultiLayerNetwork or a graph) needs {@code --input} once.
 */
class RecordedInputTest {

    @TempDir
    Path dir;

    /** The report files compared between two energy runs: every per-layer and per-model figure. */
    private static final List<String> REPORT = List.of("layers.csv", "models.csv", "actions.csv", "workload.json");

    /**
     * A graph whose first layer is a convolution without a preprocessor (1 -> 4 channels, 3 x 3), global average
     * pooling and a 10-class output layer: it states no image size and takes any.
     */
    private Path graphZip() throws IOException {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("in")
                .addLayer("c", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("pool", new GlobalPoolingLayer.Builder().build(), "c")
                .addLayer("out", new OutputLayer.Builder().nOut(10).activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(28, 28, 1)).build());
        g.init();
        Path zip = dir.resolve("graph.zip");
        ModelSerializer.writeModel(g, zip.toFile(), false);
        return zip;
    }

    /** EnergyCommandTest's channels-first CNN (its output layer's nIn fixes the image at 1x28x28). */
    private Path cnnZip() throws IOException {
        Path zip = dir.resolve("cnn.zip");
        ModelSerializer.writeModel(EnergyCommandTest.twin(CNN2DFormat.NCHW), zip.toFile(), false);
        return zip;
    }

    private Path convert(Path zip, String name, String... input) {
        Path sdm = dir.resolve(name + ".sdm");
        List<String> args = new java.util.ArrayList<>(List.of("convert", zip.toString(), "--out", sdm.toString(),
                "--quiet"));
        args.addAll(List.of(input));
        CliRun c = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, c.exit(), c.err());
        return sdm;
    }

    private static Map<String, String> properties(Path sdm) throws IOException {
        return SdmReader.read(sdm).file().properties();
    }

    /** Runs energy (paper statistics, no data) into {@code name} and returns the folder. */
    private Path energy(Path sdm, String name, String... input) {
        Path out = dir.resolve(name);
        List<String> args = new java.util.ArrayList<>(List.of("energy", sdm.toString(), "--out", out.toString(),
                "--quiet"));
        args.addAll(List.of(input));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("note:"), "the recorded shape and --input agree, or only one is there: " + r.err());
        return out;
    }

    private static void assertSameReport(Path a, Path b) throws IOException {
        for (String f : REPORT) {
            assertEquals(Files.readString(a.resolve(f)), Files.readString(b.resolve(f)), f);
        }
    }

    /**
     * Converted with --input 1x28x28, a MultiLayerNetwork and a graph that state no input size record it (the value
     * is the --input given); energy without --input then writes the report the run with --input writes, file for
     * file, export compares the outputs at that shape, and inspect shows it.
     */
    @Test
    void theShapeConvertIsGivenIsRecordedAndUsedByEnergyExportAndInspect() throws IOException {
        for (Path zip : List.of(cnnZip(), graphZip())) {
            String name = zip.getFileName().toString().replace(".zip", "");
            Path sdm = convert(zip, name, "--input", "1x28x28");
            assertEquals("1x28x28", properties(sdm).get(RecordedInput.KEY), name);

            Path without = energy(sdm, name + "-recorded");
            Path with = energy(sdm, name + "-given", "--input", "1x28x28");
            assertSameReport(without, with);

            CliRun x = CliRun.of("export", sdm.toString(), "--out", dir.resolve(name + "-dense.zip").toString(), "--quiet");
            assertEquals(0, x.exit(), x.err());
            assertTrue(x.out().contains("outputs compared on 4 random examples of shape [4, 1, 28, 28]"), x.out());

            CliRun table = CliRun.of("inspect", sdm.toString());
            assertEquals(0, table.exit(), table.err());
            assertTrue(table.out().startsWith(sdm + ": " + (zip.equals(dir.resolve("graph.zip")) ? "COMPUTATION_GRAPH"
                    : "MULTI_LAYER_NETWORK") + ", " + Files.size(sdm) + " bytes, input 1x28x28\n"), table.out());
            CliRun json = CliRun.of("inspect", sdm.toString(), "--json");
            assertEquals("1x28x28", new ObjectMapper().readTree(json.out()).get("input").asText(), json.out());
        }
    }

    /**
     * A given --input wins over the recorded shape, with one line on standard error: the graph takes any size, so
     * 1x14x14 prices another workload than the recorded 1x28x28 (a convolution's MACs scale with the image), the one
     * a file recording 1x14x14 prices.
     */
    @Test
    void aGivenInputWinsWithANoteWhenItDiffers() throws IOException {
        Path sdm = convert(graphZip(), "graph", "--input", "1x28x28");
        Path recorded = energy(sdm, "recorded");
        Path out = dir.resolve("given");
        CliRun r = CliRun.of("energy", sdm.toString(), "--input", "1x14x14", "--out", out.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertEquals("note: --input 1x14x14 differs from the input shape 1x28x28 that " + sdm + " records; using --input\n",
                r.err());
        assertNotEquals(Files.readString(recorded.resolve("layers.csv")), Files.readString(out.resolve("layers.csv")));
        // what was priced is the 1x14x14 network: the report of the same graph converted for 1x14x14 (a file of the
        // same name, so that the model's name in the report is the same)
        Path small = convert(graphZip(), "small/graph", "--input", "1x14x14");
        assertSameReport(out, energy(small, "small-recorded"));
    }

    /**
     * evaluate takes the recorded shape as the network's: a graph converted for 1x14x14 images is refused on
     * Fashion-MNIST's 1x28x28 before the data is read (without the property it was evaluated at 28 x 28).
     */
    @Test
    void evaluateTakesTheRecordedShapeAsTheNetworks() throws IOException {
        Path sdm = convert(graphZip(), "small", "--input", "1x14x14");
        CliRun.of("evaluate", sdm.toString(), "--limit", "4", "--data-dir", dir.toString()).assertUserError(
                SmartDeal.EXIT_BAD_INPUT, "--data fashion-mnist gives 1x28x28 images (784 values), but " + sdm
                        + " takes 1x14x14 images");
    }

    /**
     * A recorded value that is not CxHxW with positive integers is bad input (exit 3) for every command that reads
     * it, naming the file, the property, the rule and the value, and nothing is written.
     */
    @Test
    void aRecordedValueThatDoesNotParseIsBadInput() throws IOException {
        Path good = convert(graphZip(), "graph", "--input", "1x28x28");
        SdmFile content = SdmReader.read(good).file();
        for (String value : List.of("abc", "0x28x28", "1x28")) {
            Path bad = dir.resolve("bad-" + value + ".sdm");
            SdmWriter.write(bad, content.withProperty(RecordedInput.KEY, value));
            String message = bad + ": META property input must be CxHxW with positive integers, as --input takes it "
                    + "(e.g. 1x28x28), got '" + value + "'";
            Path out = dir.resolve("out-" + value);
            CliRun.of("energy", bad.toString(), "--out", out.toString(), "--quiet")
                    .assertUserError(SmartDeal.EXIT_BAD_INPUT, message);
            CliRun.of("energy", bad.toString(), "--input", "1x28x28", "--out", out.toString(), "--quiet")
                    .assertUserError(SmartDeal.EXIT_BAD_INPUT, message);
            CliRun.of("export", bad.toString(), "--out", out + ".zip", "--quiet")
                    .assertUserError(SmartDeal.EXIT_BAD_INPUT, message);
            CliRun.of("evaluate", bad.toString(), "--data-dir", dir.toString(), "--quiet")
                    .assertUserError(SmartDeal.EXIT_BAD_INPUT, message);
            CliRun.of("inspect", bad.toString()).assertUserError(SmartDeal.EXIT_BAD_INPUT, message);
            assertFalse(Files.exists(out) || Files.exists(Path.of(out + ".zip")), "nothing written");
        }
    }

    /**
     * Converted without --input, the file records nothing and reads as before: energy asks for --input, export
     * writes the file uncompared with its note, and inspect shows no input.
     */
    @Test
    void aFileWithoutThePropertyStillAsksForInput() throws IOException {
        Path sdm = convert(cnnZip(), "cnn");
        assertFalse(properties(sdm).containsKey(RecordedInput.KEY), properties(sdm).toString());
        Path out = dir.resolve("energy");
        CliRun.of("energy", sdm.toString(), "--out", out.toString(), "--quiet").assertUserError(SmartDeal.EXIT_BAD_INPUT,
                sdm + ": the network takes images of a size it does not state", "give the input shape with --input CxHxW");
        assertFalse(Files.exists(out));
        CliRun x = CliRun.of("export", sdm.toString(), "--out", dir.resolve("cnn-dense.zip").toString(), "--quiet");
        assertEquals(0, x.exit(), x.err());
        assertTrue(x.out().contains("outputs not compared: " + sdm + ": the network takes images of a size it does not "
                + "state"), x.out());
        CliRun table = CliRun.of("inspect", sdm.toString());
        assertTrue(table.out().startsWith(sdm + ": MULTI_LAYER_NETWORK, " + Files.size(sdm) + " bytes\n"), table.out());
    }

    /**
     * A zoo model's image input is recorded (the zoo cnn's 1x28x28, InputShape.MNIST); one that takes rows
     * (lenet300, whose first layer states its 784 inputs) records none.
     */
    @Test
    void aZooModelsImageInputIsRecordedAndRowsAreNot() throws IOException {
        Path cnn = dir.resolve("zoo-cnn.sdm");
        CliRun c = CliRun.of("convert", "--zoo", "cnn", "--out", cnn.toString(), "--quiet");
        assertEquals(0, c.exit(), c.err());
        assertEquals("1x28x28", properties(cnn).get(RecordedInput.KEY));
        Path lenet = dir.resolve("zoo-lenet.sdm");
        CliRun l = CliRun.of("convert", "--zoo", "lenet300", "--out", lenet.toString(), "--quiet");
        assertEquals(0, l.exit(), l.err());
        assertFalse(properties(lenet).containsKey(RecordedInput.KEY), properties(lenet).toString());
    }
}
