package org.smartdeal.zoo.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.smartdeal.layers.DenseExport;
import org.smartdeal.layers.Networks;
import org.smartdeal.layers.SdLayer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code smartdeal export}: an SD model as a plain DL4J {@code .zip} ({@link DenseExport}): every SD layer becomes
 * DL4J's own layer holding its rebuilt weight, so the file loads with {@code ModelSerializer} where this plugin is not
 * installed; a zip's data normaliser ({@code ModelSerializer.addNormalizerToModel}) goes with it. When the input type is
 * known (the network states it, or {@code --input} gives it) the exported network's
 * outputs are compared with the SD network's on {@value #EXAMPLES} random examples before anything is written.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write an SD model (.sdm, or a DL4J .zip holding SD layers) as a plain DL4J .zip that loads "
            + "without this plugin.",
            "Every SD layer becomes DL4J's own layer (DenseLayer, OutputLayer, ConvolutionLayer, DepthwiseConvolution2D) "
            + "with its rebuilt weight W = C*B. The exported network's outputs are compared with the SD network's on 4 "
            + "random examples first."})
public final class ExportCommand implements Callable<Integer> {

    /** Random examples the two networks are compared on. */
    static final int EXAMPLES = 4;

    /**
     * Largest mean absolute difference of the two networks' outputs accepted, relative to the SD outputs' mean
     * absolute value. Both compute with the same rebuilt weight, so they agree to float rounding (exactly, on the
     * networks README names); the margin leaves room for kernels that sum in another order.
     */
    static final double TOLERANCE = 1e-4;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "a .sdm file, or a DL4J .zip holding SD layers")
    Path file;

    @Option(names = "--out", required = true, paramLabel = "OUT.zip", description = "the DL4J model file to write")
    Path out;

    @Option(names = "--input", paramLabel = "CxHxW",
            description = "the network's input shape for the output comparison, needed when its first layer is a "
            + "convolution without a flat-input preprocessor, e.g. 1x28x28, unless the .sdm records it (convert --input "
            + "does); without either such a network is exported uncompared (a note says so); given, it wins over the "
            + "recorded shape, and a note on standard error says when they differ")
    String input;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        int[] shape = FashionMnistInput.parseShape(spec.commandLine(), input);
        OutputPaths.requireFile("--out", out);
        OutputPaths.requireNotInput("FILE", file, "--out", List.of(out));
        if (!ModelFiles.named(out, ".zip")) {
            // as convert's --out must end in .sdm: the file is a DL4J zip, and the other commands tell files apart by
            // their names (a zip named .sdm would be refused by evaluate)
            throw new BadInputException("--out must name a .zip file (a DL4J model), got " + out);
        }
        Model sd;
        Model dense;
        RecordedInput.Choice input;
        String compared;
        org.nd4j.linalg.dataset.api.preprocessor.Normalizer<?> normalizer;
        Map<String, Integer> kinds = new TreeMap<>();
        List<String> names = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] zip;
        // ResNet-50 at 224 x 224 on 2 cores: reading 11 s, the comparison's two forward passes 16 s, DL4J's zip writer
        // 21 s
        try (Progress p = Progress.start("export", 4, quiet)) {
            p.message("reading " + file.getFileName());
            ModelFiles.Loaded loaded = ModelFiles.loadWithProperties(file);
            sd = loaded.net();
            input = RecordedInput.choose(shape, loaded.properties(), file);
            ModelFiles.requireFiniteParameters(sd, file.toString(), "exported");
            Layer[] layers = Networks.layers(sd);
            for (int i = 0; i < layers.length; i++) {
                org.deeplearning4j.nn.conf.layers.Layer conf = Networks.unwrapFrozen(layers[i].conf().getLayer());
                if (conf instanceof SdLayer) {
                    kinds.merge(conf.getClass().getSimpleName(), 1, Integer::sum);
                    names.add(conf.getLayerName() != null ? conf.getLayerName() : "layer" + i);
                }
            }
            if (names.isEmpty()) {
                throw new BadInputException(file + ": has no SD layers: it is a plain DL4J network already, nothing to "
                        + "export");
            }
            p.step();
            p.message("rebuilding the weights");
            try {
                dense = DenseExport.toDense(sd);
            } catch (IllegalArgumentException e) {
                // an SD layer in a wrapper the export does not open: the file's network, not a defect
                throw new BadInputException(file + ": cannot be exported: " + e.getMessage(), e);
            }
            p.step();
            p.message("serialising");
            ModelSerializer.writeModel(dense, bytes, false);
            zip = bytes.toByteArray();
            // a zip's data normaliser goes with the network, as DL4J restores the two together
            normalizer = ModelFiles.normalizer(file);
            if (normalizer != null) {
                zip = withNormalizer(zip, normalizer);
            }
            bytes = null; // one copy of the zip in memory
            boolean graph = dense instanceof ComputationGraph;
            dense = null; // the network read back stands for it from here on
            p.step();
            // the network compared is the one the file holds, read back from its bytes as DL4J will read it (a zip
            // that DL4J cannot load, or loads differently, is a defect found here, before anything is written)
            p.message("comparing the outputs");
            compared = compare(sd, readBack(zip, graph), input.shape());
            p.step();
        }
        input.warn(spec.commandLine().getErr());
        PrintWriter o = spec.commandLine().getOut();
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(out, zip);
        OutputPaths.writeTogether(files);
        List<String> counts = new ArrayList<>();
        kinds.forEach((kind, n) -> counts.add(n + " " + kind));
        o.printf(Locale.ROOT, "%s: %d SD %s (%s: %s) exported as DL4J's own layers with the rebuilt weights%n", file,
                names.size(), names.size() == 1 ? "layer" : "layers", String.join(", ", counts), shortList(names));
        o.println(compared);
        if (normalizer != null) {
            o.println("the zip's data normaliser (" + normalizer.getClass().getSimpleName() + ") is carried over");
        }
        o.printf(Locale.ROOT, "wrote %s (%,d bytes; the SD file is %,d bytes) in %.1f s%n", out, zip.length,
                java.nio.file.Files.size(file), (System.nanoTime() - t0) / 1e9);
        return SmartDeal.EXIT_OK;
    }

    /**
     * A ModelSerializer zip with a data normaliser added as DL4J's {@code ModelSerializer.addNormalizerToModel} adds it
     * (entry {@code normalizer.bin}, written by its {@code NormalizerSerializer}), in memory: DL4J 1.0.0-M2.1's
     * {@code writeModel} with a normaliser fails ("flush() failed: stream is closed").
     */
    static byte[] withNormalizer(byte[] zip, org.nd4j.linalg.dataset.api.preprocessor.Normalizer<?> normalizer)
            throws IOException {
        ByteArrayOutputStream norm = new ByteArrayOutputStream();
        org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer.getDefault().write(normalizer, norm);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip));
                java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
            for (java.util.zip.ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                z.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                in.transferTo(z);
                z.closeEntry();
            }
            z.putNextEntry(new java.util.zip.ZipEntry(ModelSerializer.NORMALIZER_BIN));
            norm.writeTo(z);
            z.closeEntry();
        }
        return out.toByteArray();
    }

    /** The names, or the first three and the last two with the count between when there are more than eight. */
    static String shortList(List<String> names) {
        if (names.size() <= 8) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, 3)) + ", ... (" + (names.size() - 5) + " more), "
                + String.join(", ", names.subList(names.size() - 2, names.size()));
    }

    /** The exported network as DL4J's ModelSerializer reads it from the bytes about to be written. */
    private static Model readBack(byte[] zip, boolean graph) {
        try (java.io.InputStream in = new java.io.ByteArrayInputStream(zip)) {
            return graph ? ModelSerializer.restoreComputationGraph(in, false)
                    : ModelSerializer.restoreMultiLayerNetwork(in, false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the exported network does not load back with DL4J's ModelSerializer ("
                    + e + "); nothing was written. This is a defect of the export", e);
        }
    }

    /**
     * Compares the two networks' outputs on random examples of the input type; a difference above {@link #TOLERANCE}
     * is a defect (exit 1, nothing written). An {@code --input} (or recorded shape, {@link RecordedInput}) the network
     * cannot take, or at which it fails {@link ForwardCheck#requireRuns}, is bad input (exit 3, nothing written).
     * Returns the line that says what was compared.
     */
    private String compare(Model sd, Model dense, int[] shape) {
        InputType type;
        try {
            type = FashionMnistInput.inputType(sd, shape, false, file);
        } catch (BadInputException e) {
            if (shape != null) {
                throw e; // an --input the network cannot take is the user's mistake (exit 3, as convert), not a note
            }
            return "outputs not compared: " + e.getMessage();
        }
        if (sd instanceof ComputationGraph g && g.getNumInputArrays() != 1) {
            return "outputs not compared: the graph has " + g.getNumInputArrays() + " inputs";
        }
        // convert's size, memory and forward checks (exit 3 naming the layer), so that an --input of another size
        // fails here, not as an internal error in the comparison's forward pass
        ForwardCheck.requireRuns(sd, type, file, true);
        return compareOutputs(sd, dense, type);
    }

    /**
     * The two networks' outputs on {@value #EXAMPLES} random examples (seed 42) of the input type, uniform in [0, 1),
     * or indices uniform in [0, nIn) for a network whose first layer is an embedding: each output of a graph of
     * several, each against the tolerance.
     *
     * @return the line saying what was compared (for several outputs, the largest relative difference)
     * @throws IllegalStateException when they differ by more than {@link #TOLERANCE} (relative), naming a graph's
     *     output when it has several
     */
    static String compareOutputs(Model sd, Model dense, InputType type) {
        long[] s = type.getShape(true);
        s[0] = EXAMPLES;
        // a generator of its own: the comparison leaves ND4J's global one as it was
        INDArray x = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(42), s);
        long indices = FashionMnistInput.embeddingIndices(sd);
        if (indices > 0) {
            // word indices in [0, nIn): values in [0, 1) would all read as word 0, comparing one embedding row only
            x = Transforms.floor(x.muli(indices), false);
        }
        x = x.castTo(sd.params().dataType());
        INDArray[] a = outputs(sd, x);
        INDArray[] b = outputs(dense, x);
        List<String> names = sd instanceof ComputationGraph g ? g.getConfiguration().getNetworkOutputs() : List.of();
        double worstDiff = 0;
        double worstScale = Double.MIN_NORMAL;
        for (int i = 0; i < a.length; i++) {
            double scale = Math.max(Transforms.abs(a[i], true).meanNumber().doubleValue(), Double.MIN_NORMAL);
            double diff = a[i].sub(b[i]).norm1Number().doubleValue() / a[i].length();
            if (!(diff <= TOLERANCE * scale)) {
                throw new IllegalStateException(String.format(Locale.ROOT, "the exported network's outputs differ from "
                        + "the SD network's (%smean |difference| %.3g against mean |output| %.3g); nothing was written",
                        a.length == 1 ? "" : "output " + names.get(i) + ": ", diff, scale));
            }
            if (i == 0 || diff / scale > worstDiff / worstScale) {
                worstDiff = diff;
                worstScale = scale;
            }
        }
        return String.format(Locale.ROOT, "outputs compared on %d random examples of shape %s%s mean |difference| "
                + "%.2g (mean |output| %.3g)", EXAMPLES, java.util.Arrays.toString(s), a.length == 1 ? ":"
                : ", each of the graph's " + a.length + " outputs (" + String.join(", ", names) + "): largest",
                worstDiff, worstScale);
    }

    /** Every output of the network for {@code x}: one for a MultiLayerNetwork, each of a graph's in its order. */
    private static INDArray[] outputs(Model net, INDArray x) {
        return net instanceof MultiLayerNetwork m ? new INDArray[] {m.output(x, false)}
                : ((ComputationGraph) net).output(false, x);
    }
}
