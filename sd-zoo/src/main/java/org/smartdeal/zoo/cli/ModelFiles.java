package org.smartdeal.zoo.cli;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.smartdeal.codec.ConfigurationCheck;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.codec.SdmFile;
import org.smartdeal.codec.SdmReader;
import org.smartdeal.layers.Networks;
import org.smartdeal.layers.SdLayer;

/** Loading the two model file kinds the CLI accepts: SmartDeal {@code .sdm} and DL4J {@code .zip}. */
final class ModelFiles {

    private ModelFiles() {
    }

    /**
     * Whether a file's name ends in an extension, in any case ({@code model.SDM} and {@code model.Zip} too, as
     * files copied from case-insensitive systems are often named). One rule for every command, reading and
     * writing.
     *
     * @param file      the file
     * @param extension the extension with its dot, in lower case, e.g. {@code ".sdm"}
     * @return whether the name ends in it
     */
    static boolean named(Path file, String extension) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(java.util.Locale.ROOT).endsWith(extension);
    }

    /**
     * Loads a network, choosing the reader by extension.
     *
     * @param file a {@code .sdm} or DL4J {@code .zip} file
     * @return a MultiLayerNetwork or ComputationGraph
     * @throws BadInputException naming the file when it is missing ({@link InputPaths#requireFile}), of another
     *     kind, or unreadable
     */
    static Model load(Path file) {
        return loadWithProperties(file).net();
    }

    /**
     * A loaded network with the properties its file carries.
     *
     * @param net        a MultiLayerNetwork or ComputationGraph
     * @param properties a {@code .sdm} file's META properties (such as {@link RecordedInput#KEY}); empty for a
     *                   {@code .zip}
     */
    record Loaded(Model net, java.util.Map<String, String> properties) {
    }

    /**
     * Loads a network as {@link #load} does, keeping a {@code .sdm} file's META properties (read once, with the
     * network).
     *
     * @param file a {@code .sdm} or DL4J {@code .zip} file
     * @return the network and the properties
     * @throws BadInputException as {@link #load}
     */
    static Loaded loadWithProperties(Path file) {
        InputPaths.requireFile(null, file, "a .sdm or DL4J .zip model file");
        String name = file.getFileName().toString();
        Content content = content(file);
        boolean sdm = named(file, SdModelFile.EXTENSION);
        boolean zip = named(file, ".zip");
        if (sdm && content == Content.ZIP) {
            throw new BadInputException(file + ": is a zip archive, not a .sdm file; a DL4J ModelSerializer model must "
                    + "be named .zip");
        }
        if (zip && content == Content.SDM) {
            throw new BadInputException(file + ": is a SmartDeal .sdm model named .zip; rename it to .sdm");
        }
        try {
            if (sdm) {
                SdmReader.Result r = SdmReader.read(file);
                return new Loaded(SdModelFile.build(r.file(), file.toString(), r.formatMinor()), r.file().properties());
            }
            if (zip) {
                return new Loaded(loadZip(file), java.util.Map.of());
            }
        } catch (java.util.zip.ZipException e) {
            // java.util.zip's own words ("zip END header not found") say little to a user
            throw new BadInputException(file + ": not a DL4J ModelSerializer .zip: the file is not a readable zip "
                    + "archive (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            // the reader's messages start "file PATH: ": the path is named once
            String m = String.valueOf(e.getMessage()), named = "file " + file + ": ";
            throw new BadInputException(file + ": cannot load the model: "
                    + (m.startsWith(named) ? m.substring(named.length()) : m), e);
        } catch (RuntimeException e) {
            // DL4J's own deserialisation failing (e.g. a configuration.json it cannot map)
            throw new BadInputException(file + ": not a network this DL4J (1.0.0-M2.1) can load from its "
                    + "configuration and parameters: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        throw new BadInputException(file + ": model files must end in .sdm (SmartDeal) or .zip (DL4J ModelSerializer), got '" + name + "'");
    }

    /**
     * The data normaliser a DL4J zip holds ({@code ModelSerializer.addNormalizerToModel}, or {@code writeModel} with
     * one): the network expects its features processed by it, as DL4J's {@code restoreMultiLayerNetworkAndNormalizer}
     * gives the two together.
     *
     * @param file a model file that loaded ({@link #load})
     * @return the normaliser, or null for a {@code .sdm} file or a zip without one
     * @throws BadInputException naming the file and the entry when the zip's normaliser cannot be read
     */
    static org.nd4j.linalg.dataset.api.preprocessor.Normalizer<?> normalizer(Path file) {
        if (!named(file, ".zip")) {
            return null;
        }
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            if (zip.getEntry(ModelSerializer.NORMALIZER_BIN) == null) {
                return null;
            }
        } catch (IOException e) {
            throw new BadInputException(file + ": " + OutputPaths.reason(e), e);
        }
        try {
            return ModelSerializer.restoreNormalizerFromFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(file + ": its data normaliser (entry " + ModelSerializer.NORMALIZER_BIN
                    + ") cannot be read: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** What a file's first bytes say it holds, whatever its name. */
    enum Content {
        /** Starts with the .sdm magic number. */
        SDM,
        /** Starts with a zip local-file header ("PK\3\4"), as DL4J's ModelSerializer files do. */
        ZIP,
        /** Neither (a zip with data before its first entry included), or unreadable: the reader then decides. */
        OTHER
    }

    /**
     * @param file a regular file
     * @return what its first bytes say it holds
     */
    static Content content(Path file) {
        byte[] head;
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            head = in.readNBytes(SdmFile.MAGIC.length);
        } catch (IOException e) {
            return Content.OTHER;
        }
        if (java.util.Arrays.equals(head, SdmFile.MAGIC)) {
            return Content.SDM;
        }
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4 ? Content.ZIP
                : Content.OTHER;
    }

    /**
     * Requires every parameter of a loaded network to be finite: a NaN or infinite weight (a diverged
     * training run, a damaged file) cannot be decomposed or stored, and is bad input.
     *
     * @param net     a MultiLayerNetwork or ComputationGraph
     * @param who     the option and file, for the message
     * @param purpose what the command does with it, for the message ("converted", "evaluated", ...)
     * @throws BadInputException naming the file, the layer and the parameter
     */
    static void requireFiniteParameters(Model net, String who, String purpose) {
        for (org.deeplearning4j.nn.api.Layer l : Networks.layers(net)) {
            for (java.util.Map.Entry<String, org.nd4j.linalg.api.ndarray.INDArray> p : l.paramTable().entrySet()) {
                org.nd4j.linalg.api.ndarray.INDArray v = p.getValue();
                if (v.length() > 0 && (v.isNaN().any() || v.isInfinite().any())) {
                    String name = l.conf().getLayer().getLayerName();
                    throw new BadInputException(who + ": parameter " + p.getKey() + " of layer "
                            + (name != null ? name : String.valueOf(l.getIndex())) + " holds NaN or infinite values; "
                            + "only a network with finite parameters can be " + purpose);
                }
            }
        }
    }

    /**
     * Whether a network holds SD layers (it was converted already).
     *
     * @param net a MultiLayerNetwork or ComputationGraph
     * @return true when any layer's configuration is an {@link SdLayer}
     */
    static boolean hasSdLayers(Model net) {
        for (org.deeplearning4j.nn.api.Layer l : Networks.layers(net)) {
            if (l.conf().getLayer() instanceof SdLayer) {
                return true;
            }
        }
        return false;
    }

    /**
     * Loads a DL4J ModelSerializer zip holding either network class. Before DL4J allocates anything, the
     * zip is checked against itself, so that a corrupt or crafted file is refused instead of exhausting
     * memory: {@code configuration.json} at most {@link SdmFile#MAX_CONFIG_BYTES} once inflated, a
     * configuration DL4J can parse, the parameter count it asks for within this JVM's off-heap limit, and
     * the header of {@code coefficients.bin} (ND4J's serialised array: shape information, then the data
     * buffer's length and type) agreeing with that count and with the entry's inflated size.
     *
     * @param file the zip
     * @return the network
     * @throws IOException when the zip is not a DL4J model or contradicts itself
     */
    static Model loadZip(Path file) throws IOException {
        String json;
        boolean graph;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            var entry = zip.getEntry("configuration.json");
            if (entry == null) {
                throw new IOException("not a DL4J ModelSerializer zip (no configuration.json entry)");
            }
            byte[] bytes;
            try (InputStream in = zip.getInputStream(entry)) {
                bytes = in.readNBytes(SdmFile.MAX_CONFIG_BYTES + 1);
            }
            if (bytes.length > SdmFile.MAX_CONFIG_BYTES) {
                throw new IOException("configuration.json inflates to more than " + SdmFile.MAX_CONFIG_BYTES
                        + " bytes; a network configuration is far smaller");
            }
            json = new String(bytes, StandardCharsets.UTF_8);
            // A ComputationGraph configuration lists "vertices"; a MultiLayerNetwork's lists "confs".
            graph = json.contains("\"vertices\"");
            Object conf = parseConfiguration(json, graph);
            checkConfiguration(conf); // first: it bounds each layer's sizes, whose product DL4J's count trusts
            long params = parameterCount(conf);
            long limit = Pointer.maxBytes();
            if (params > 0 && limit > 0 && params > limit / Float.BYTES) {
                throw new IOException("configuration.json asks for " + params + " parameters (" + params * Float.BYTES
                        / (1 << 20) + " MB as float32), more than this JVM's off-heap limit of " + limit / (1 << 20)
                        + " MB; if the model is real, raise the limit (SMARTDEAL_JAVA_OPTS, e.g. -Xmx or "
                        + "-Dorg.bytedeco.javacpp.maxbytes)");
            }
            var coefficients = zip.getEntry("coefficients.bin");
            if (coefficients == null) {
                // ModelSerializer writes the entry for every network, and cannot restore a zip without it, even one
                // of a network without parameters ("Model wasnt found within file")
                throw new IOException("no coefficients.bin entry" + (params > 0 ? ", but configuration.json has " + params
                        + " parameters" : "; a DL4J ModelSerializer zip holds one even for a network without parameters"));
            } else {
                try (DataInputStream in = new DataInputStream(new BufferedInputStream(zip.getInputStream(coefficients)))) {
                    checkCoefficientsHeader(in, params, coefficients.getSize());
                }
            }
        }
        if (graph) {
            return ModelSerializer.restoreComputationGraph(file.toFile(), false);
        }
        return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
    }

    /**
     * The settings DL4J checks only when it first runs the network ({@link ConfigurationCheck#network}): a
     * floating-point data type, the windows of every convolution and pooling layer (frozen ones' inner layers),
     * reshaping preprocessors, and a graph without cycles; a zip that breaks them used to load and then crash the JVM
     * in native code or fail at the first output.
     */
    private static void checkConfiguration(Object conf) throws IOException {
        try {
            if (conf instanceof ComputationGraphConfiguration g) {
                ConfigurationCheck.network(g);
            } else {
                ConfigurationCheck.network((MultiLayerConfiguration) conf);
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("configuration.json: " + e.getMessage(), e);
        }
    }

    /** configuration.json as DL4J reads it: a ComputationGraphConfiguration or a MultiLayerConfiguration. */
    private static Object parseConfiguration(String json, boolean graph) throws IOException {
        try {
            return graph ? ComputationGraphConfiguration.fromJson(json) : MultiLayerConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw notReadable(e);
        }
    }

    private static IOException notReadable(RuntimeException e) {
        // DL4J's reader meets a missing part (valid JSON without a network's fields) as a NullPointerException, whose
        // message names DL4J's internals rather than the file
        String why = e instanceof NullPointerException
                ? "a part it needs is missing or null (a MultiLayerNetwork's layer list \"confs\", a graph's "
                        + "\"vertices\")"
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return new IOException("configuration.json is not a network configuration this DL4J (1.0.0-M2.1) can "
                + "read: " + why, e);
    }

    /** The parameter count a DL4J configuration asks for (what {@code init()} would allocate). */
    private static long parameterCount(Object conf) throws IOException {
        try {
            long n = 0;
            if (conf instanceof ComputationGraphConfiguration g) {
                for (GraphVertex v : g.getVertices().values()) {
                    n = Math.addExact(n, v.numParams(true));
                }
            } else {
                for (NeuralNetConfiguration c : ((MultiLayerConfiguration) conf).getConfs()) {
                    n = Math.addExact(n, c.getLayer().initializer().numParams(c));
                }
            }
            return n;
        } catch (ArithmeticException e) {
            throw new IOException("configuration.json asks for more than 2^63 parameters", e);
        } catch (RuntimeException e) {
            throw notReadable(e);
        }
    }

    /**
     * Reads the two buffer headers of ND4J's array serialisation ({@code Nd4j.write}: shape information,
     * then data; each as allocation mode, length (8 bytes, 4 under the modes before 1.0.0-alpha), data type,
     * values) and checks them against the configuration's parameter count and the entry's inflated size, reading no
     * values.
     */
    private static void checkCoefficientsHeader(DataInputStream in, long params, long entrySize) throws IOException {
        try {
            String shapeMode = in.readUTF();
            long shapeLength = readLength(in, shapeMode);
            String shapeType = in.readUTF();
            int shapeWidth = "LONG".equals(shapeType) ? Long.BYTES : "INT".equals(shapeType) ? Integer.BYTES : -1;
            // rank r gives 2r + 4 entries; ND4J's rank is at most 32
            if (shapeWidth < 0 || shapeLength < 4 || shapeLength > 2 * 32 + 4 || shapeLength % 2 != 0) {
                throw new IOException("coefficients.bin: shape information of length " + shapeLength + " and type "
                        + shapeType + " is not ND4J's (LONG or INT, 2 x rank + 4 entries, rank <= 32)");
            }
            long[] shapeInfo = new long[(int) shapeLength];
            for (int i = 0; i < shapeInfo.length; i++) {
                shapeInfo[i] = shapeWidth == Long.BYTES ? in.readLong() : in.readInt();
            }
            checkParameterShape(shapeInfo, params);
            String dataMode = in.readUTF();
            long length = readLength(in, dataMode);
            String type = in.readUTF();
            int width;
            try {
                DataType t = DataType.valueOf(type);
                ConfigurationCheck.dataType(t);
                width = t.width();
            } catch (IllegalArgumentException e) {
                throw new IOException("coefficients.bin: data type '" + type + "' is not a floating-point ND4J data"
                        + " type (DOUBLE, FLOAT, HALF or BFLOAT16)", e);
            }
            if (length != params) {
                throw new IOException("coefficients.bin holds " + length + " values but configuration.json has "
                        + params + " parameters");
            }
            // each UTF string is a 2-byte length and its (ASCII) bytes
            long header = 2 + shapeMode.length() + lengthWidth(shapeMode) + 2 + shapeType.length()
                    + shapeLength * shapeWidth + 2 + dataMode.length() + lengthWidth(dataMode) + 2 + type.length();
            if (entrySize >= 0 && entrySize - header < length * width) {
                throw new IOException("coefficients.bin inflates to " + entrySize + " bytes, too few for its " + length
                        + " values of " + type + " (" + length * width + " bytes after a " + header + "-byte header)");
            }
        } catch (EOFException e) {
            throw new IOException("coefficients.bin ends inside its header (truncated)", e);
        }
    }

    /**
     * The allocation modes of ND4J before 1.0.0-alpha, whose buffers have 4-byte lengths (ND4J's own reader,
     * {@code BaseDataBuffer.readHeader}, still reads them so, and DL4J 1.0.0-M2.1 loads such zips).
     */
    private static final java.util.Set<String> LEGACY_MODES = java.util.Set.of("DIRECT", "HEAP", "JAVACPP");

    /** Bytes of a buffer's length field under allocation mode {@code mode}: 4 for the legacy modes, else 8. */
    private static int lengthWidth(String mode) {
        return LEGACY_MODES.contains(mode) ? Integer.BYTES : Long.BYTES;
    }

    /** A buffer's length field, 4 or 8 bytes by its allocation mode ({@link #lengthWidth}). */
    private static long readLength(DataInputStream in, String mode) throws IOException {
        return lengthWidth(mode) == Integer.BYTES ? in.readInt() : in.readLong();
    }

    /**
     * The shape information of the parameter array, which ND4J trusts when it reads the values (a stride of 1000
     * on a vector read outside the buffer, or crashed the JVM): rank 1 or 2, a vector of exactly the configuration's
     * parameter count ([n], [1, n] or [n, 1]), strides of a contiguous array in its order, element-wise stride 1,
     * order 'c' or 'f'; for a configuration without parameters, an empty array. Layout: rank, shape, strides, extras,
     * element-wise stride, order.
     */
    private static void checkParameterShape(long[] info, long params) throws IOException {
        long rank = info[0];
        String what = "coefficients.bin: the parameters' shape information " + java.util.Arrays.toString(info);
        if (info.length != 2 * rank + 4 || rank < 1 || rank > 2) {
            throw new IOException(what + " is not a vector's (rank 1 or 2, 2 x rank + 4 entries)");
        }
        int r = (int) rank;
        long[] shape = java.util.Arrays.copyOfRange(info, 1, 1 + r);
        long[] stride = java.util.Arrays.copyOfRange(info, 1 + r, 1 + 2 * r);
        long ews = info[2 * r + 2];
        long order = info[2 * r + 3];
        if (params == 0) {
            // a network without parameters (activation, pooling and loss layers only): ND4J writes an empty array
            if (java.util.Arrays.stream(shape).anyMatch(d -> d == 0)) {
                return;
            }
            throw new IOException(what + ": configuration.json asks for no parameters, so the array must be empty "
                    + "(a dimension of 0)");
        }
        for (long d : shape) {
            if (d < 1 || d > params) {
                throw new IOException(what + ": dimensions must be in [1, " + params + "], the parameter count");
            }
        }
        // a vector: at most one dimension above 1, so the product cannot overflow
        long n = r == 1 ? shape[0] : shape[0] * shape[1];
        if (n != params || (r == 2 && shape[0] != 1 && shape[1] != 1)) {
            throw new IOException(what + ": the parameters must be a vector of the " + params
                    + " values that configuration.json asks for");
        }
        if (order != 'c' && order != 'f') {
            throw new IOException(what + ": order must be 'c' (99) or 'f' (102), got " + order);
        }
        long[] contiguous = new long[r];
        long step = 1;
        for (int k = 0; k < r; k++) {
            int dim = order == 'c' ? r - 1 - k : k;
            contiguous[dim] = step;
            step *= shape[dim];
        }
        if (!java.util.Arrays.equals(stride, contiguous) || ews != 1) {
            throw new IOException(what + ": strides must be " + java.util.Arrays.toString(contiguous)
                    + " and the element-wise stride 1 (a contiguous array)");
        }
    }
}
