package org.smartdeal.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.core.JsonFactory;
import org.nd4j.shade.jackson.core.JsonParser;
import org.nd4j.shade.jackson.core.JsonToken;
import org.smartdeal.layers.Networks;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdSliceShape;
import org.smartdeal.layers.impl.SdWeights;
import org.smartdeal.layers.params.SdParamInitializer;

/**
 * Saves a DL4J network holding SD layers as a compact {@code .sdm} file and loads it back into a
 * working {@link MultiLayerNetwork} or {@link ComputationGraph} (ALGORITHMS.md 4.1-4.2).
 *
 * <ul>
 *   <li>The configuration JSON travels in the CONFIG section.</li>
 *   <li>Each SD layer is stored as one SD_LAYER section: the effective coefficients
 *       P(C) .* M (what the forward pass uses) Huffman-coded, B as int8 with a power-of-two scale
 *       per slice (format 2.4; one per layer before), and the mask M when it differs from C != 0. Its bias is
 *       a float32 array.</li>
 *   <li>Every other parameter (biases, BatchNorm, layers left dense) is a float32 array named by
 *       its key in the network's parameter table.</li>
 * </ul>
 *
 * <p>The loaded network's B is the int8-rounded B, so accuracy of a compressed model is measured on
 * the model as loaded. Updater state is not stored: the file is a deployable model, not a training
 * checkpoint (use DL4J's {@code ModelSerializer} for that). Writing is atomic; reading validates
 * every length and CRC before allocating and fails with an {@link SdmFormatException} naming the
 * section when the file does not match the network its configuration describes.
 */
public final class SdModelFile {

    /**
     * The META properties {@link #toSdm} records, in this order: the writer and the DL4J version it was built against.
     * Callers add their own after them ({@link SdmFile#withProperty}).
     */
    public static final Map<String, String> OWN_PROPERTIES;

    static {
        Map<String, String> own = new LinkedHashMap<>();
        own.put("writer", "smartdeal-dl4j");
        own.put("dl4j", "1.0.0-M2.1");
        OWN_PROPERTIES = java.util.Collections.unmodifiableMap(own);
    }

    /** File-name extension of SmartDeal model files. */
    public static final String EXTENSION = ".sdm";
    /** Values converted per ND4J call when checking a narrow data type (HALF, BFLOAT16). */
    private static final int CHECK_CHUNK = 1 << 16;
    /** Heap per entry of the largest SD layer alive at once while it is filled (4 + 1 + 8 bytes). */
    static final long BUILD_HEAP_BYTES_PER_ENTRY = 13;

    private SdModelFile() {
    }

    /**
     * Writes {@code net} to {@code path} atomically.
     *
     * @param net a MultiLayerNetwork or ComputationGraph (not modified)
     * @param path target file; an existing file is replaced only when the write succeeds
     * @return the layout of the written file (bytes per section and storage breakdown)
     * @throws IOException when writing fails
     */
    public static SdmLayout write(Model net, Path path) throws IOException {
        return SdmWriter.write(path, toSdm(net));
    }

    /** A class name in DL4J's configuration JSON: the value of an {@code "@class"} property. */
    private static final Pattern CLASS_ID = Pattern.compile("\"@class\"\\s*:\\s*\"([^\"\\\\]+)\"");

    /**
     * The error for a CONFIG that DL4J cannot deserialise. When the JSON names classes ({@code "@class"}) that are not
     * on the class path, the message lists them, and for SD training's ({@code org.smartdeal.optim}: the bucket switch
     * that {@code SdTraining.configure} routes C to) the module to add: DL4J's own message does not name the class (for
     * a MultiLayerConfiguration it suggests a JSON format older than 1.0.0-beta). Otherwise DL4J's message.
     */
    private static SdmFormatException unloadableConfiguration(String json, String source, RuntimeException e) {
        Set<String> missing = new TreeSet<>();
        Matcher m = CLASS_ID.matcher(json);
        while (m.find()) {
            if (!loadable(m.group(1))) {
                missing.add(m.group(1));
            }
        }
        if (missing.isEmpty()) {
            return new SdmFormatException(source + ": section CONFIG: not a loadable DL4J configuration: "
                    + e.getMessage(), e);
        }
        String module = missing.stream().anyMatch(c -> c.startsWith("org.smartdeal.optim."))
                ? " (SD training's updater settings, from the module sd-optimizers: add the dependency"
                        + " org.smartdeal:sd-optimizers to load a network configured with SdTraining)"
                : "";
        return new SdmFormatException(source + ": section CONFIG: names classes that are not on the class path: "
                + String.join(", ", missing) + module, e);
    }

    /** Whether the thread's context class loader or this class's loader finds {@code name} (not initialised). */
    private static boolean loadable(String name) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        for (ClassLoader loader : new ClassLoader[] {context, SdModelFile.class.getClassLoader()}) {
            if (loader == null) {
                continue;
            }
            try {
                Class.forName(name, false, loader);
                return true;
            } catch (ClassNotFoundException | LinkageError notHere) {
                // try the next loader
            }
        }
        return false;
    }

    /**
     * Builds the in-memory {@code .sdm} representation of {@code net} without writing it, e.g. to
     * account storage.
     *
     * @param net a MultiLayerNetwork or ComputationGraph (not modified)
     * @return the file contents
     */
    public static SdmFile toSdm(Model net) {
        NetworkType type;
        String json;
        if (net instanceof MultiLayerNetwork m) {
            type = NetworkType.MULTI_LAYER_NETWORK;
            json = m.getLayerWiseConfigurations().toJson();
        } else if (net instanceof ComputationGraph g) {
            type = NetworkType.COMPUTATION_GRAPH;
            json = g.getConfiguration().toJson();
        } else {
            throw new IllegalArgumentException("SdModelFile.write: net must be a MultiLayerNetwork or ComputationGraph, got "
                    + (net == null ? null : net.getClass().getName()));
        }
        List<SdmEntry> entries = new ArrayList<>();
        for (Layer layer : Networks.layers(net)) {
            String prefix = prefix(net, layer);
            ParamInitializer init = layer.conf().getLayer().initializer();
            Map<String, INDArray> params = layer.paramTable();
            if (layer.conf().getLayer() instanceof SdLayer sd) {
                entries.add(sdEntry(prefix, sd, params));
                for (Map.Entry<String, INDArray> p : params.entrySet()) {
                    if (!isEncoded(p.getKey())) {
                        entries.add(floatEntry(prefix + "_" + p.getKey(), FloatArrayEntry.Role.OTHER, p.getValue()));
                    }
                }
            } else {
                for (Map.Entry<String, INDArray> p : params.entrySet()) {
                    boolean weight = init.isWeightParam(layer.conf().getLayer(), p.getKey());
                    entries.add(floatEntry(prefix + "_" + p.getKey(),
                            weight ? FloatArrayEntry.Role.DENSE_WEIGHT : FloatArrayEntry.Role.OTHER, p.getValue()));
                }
            }
        }
        return new SdmFile(type, json, new LinkedHashMap<>(OWN_PROPERTIES), entries);
    }

    /**
     * Reads a file written by {@link #write} into a ready network (initialised, parameters set).
     *
     * @param path the {@code .sdm} file
     * @return a MultiLayerNetwork or ComputationGraph, as stored
     * @throws IOException when the file cannot be read
     * @throws SdmFormatException when it is not a valid {@code .sdm} file or does not match its own
     *     configuration (the message names the file and section)
     */
    public static Model read(Path path) throws IOException {
        SdmReader.Result r = SdmReader.read(path);
        return build(r.file(), path.toString(), r.formatMinor());
    }

    /**
     * Reads a {@code .sdm} file held in memory (for example {@link SdmWriter#serialize}'s bytes) into a ready
     * network, as {@link #read(Path)} reads one from disk.
     *
     * @param bytes  the file's bytes (not modified)
     * @param source name used in error messages
     * @return a MultiLayerNetwork or ComputationGraph, as stored
     * @throws SdmFormatException when the bytes are not a valid {@code .sdm} file or do not match its own
     *     configuration
     */
    public static Model read(byte[] bytes, String source) throws SdmFormatException {
        SdmReader.Result r = SdmReader.read(bytes, source);
        return build(r.file(), source, r.formatMinor());
    }

    /**
     * As {@link #read}, requiring a MultiLayerNetwork.
     *
     * @param path the file
     * @return the network
     * @throws IOException when reading fails or the file holds a ComputationGraph
     */
    public static MultiLayerNetwork readMultiLayerNetwork(Path path) throws IOException {
        Model m = read(path);
        if (m instanceof MultiLayerNetwork mln) {
            return mln;
        }
        throw new SdmFormatException(path + ": holds a ComputationGraph, not a MultiLayerNetwork");
    }

    /**
     * As {@link #read}, requiring a ComputationGraph.
     *
     * @param path the file
     * @return the graph
     * @throws IOException when reading fails or the file holds a MultiLayerNetwork
     */
    public static ComputationGraph readComputationGraph(Path path) throws IOException {
        Model m = read(path);
        if (m instanceof ComputationGraph g) {
            return g;
        }
        throw new SdmFormatException(path + ": holds a MultiLayerNetwork, not a ComputationGraph");
    }

    /**
     * Builds a network from an in-memory {@code .sdm} representation in the current format: every
     * SD layer's R must be the real rows per unit of the configured layer.
     *
     * @param file the contents
     * @param source name used in error messages
     * @return the network
     * @throws SdmFormatException when the contents do not match the configuration
     */
    public static Model build(SdmFile file, String source) throws SdmFormatException {
        return build(file, source, SdmFile.FORMAT_MINOR);
    }

    /**
     * Builds a network from the contents of a file of the given minor version
     * ({@link SdmReader.Result#formatMinor()}). Layers of a file before
     * {@link SdLayerCodec#UNIT_ROWS_SINCE_MINOR} did not store R (they read with R = m), so only
     * their [K, m, n] is matched against the configuration.
     *
     * <p>Every entry is matched against the configuration ({@link #check}) before the network is
     * initialised, so a configuration that asks for more parameters than the file holds is
     * rejected without allocating them.
     *
     * @param file the contents
     * @param source name used in error messages
     * @param formatMinor the minor version the contents were read from
     * @return the network
     * @throws SdmFormatException when the contents do not match the configuration
     */
    public static Model build(SdmFile file, String source, int formatMinor) throws SdmFormatException {
        boolean storesR = formatMinor >= SdLayerCodec.UNIT_ROWS_SINCE_MINOR;
        Object conf = matchConfiguration(file, source, storesR);
        checkHeapForBuild(file, source);
        Model net;
        try {
            if (conf instanceof MultiLayerConfiguration mc) {
                MultiLayerNetwork m = new MultiLayerNetwork(mc);
                m.init();
                net = m;
            } else {
                ComputationGraph g = new ComputationGraph((ComputationGraphConfiguration) conf);
                g.init();
                net = g;
            }
        } catch (RuntimeException e) {
            throw new SdmFormatException(source + ": section CONFIG: not a loadable DL4J configuration: " + e.getMessage(), e);
        }
        for (Layer layer : Networks.layers(net)) {
            String prefix = prefix(net, layer);
            Map<String, INDArray> params = layer.paramTable();
            if (layer.conf().getLayer() instanceof SdLayer sd) {
                SdLayerEntry e = file.sdLayer(prefix).orElseThrow(() -> new SdmFormatException(
                        source + ": section SD_LAYER '" + prefix + "' is missing for SD layer " + prefix));
                fillSd(e, sd, params, source, storesR);
            }
            for (Map.Entry<String, INDArray> p : params.entrySet()) {
                if (layer.conf().getLayer() instanceof SdLayer && isEncoded(p.getKey())) {
                    continue;
                }
                String name = prefix + "_" + p.getKey();
                FloatArrayEntry e = file.floatArray(name).orElseThrow(() -> new SdmFormatException(
                        source + ": section FLOAT_ARRAY '" + name + "' is missing"));
                long[] want = p.getValue().shape();
                if (!Arrays.equals(want, e.shape())) {
                    throw new SdmFormatException(source + ": section FLOAT_ARRAY '" + name + "' has shape "
                            + Arrays.toString(e.shape()) + " but the configuration needs " + Arrays.toString(want));
                }
                p.getValue().assign(Nd4j.create(e.values(), p.getValue().shape(), 'c').castTo(p.getValue().dataType()));
            }
        }
        return net;
    }

    /**
     * Refuses, before the network is initialised, a file whose largest SD layer cannot be built in the heap: a few
     * kilobytes of RUNS index can describe a layer of a hundred million entries, and building it allocated heap
     * arrays as long as C until DL4J failed with an {@link OutOfMemoryError}. The estimate is
     * {@link #BUILD_HEAP_BYTES_PER_ENTRY} per entry of that layer: the most alive at once while it is filled (the
     * float copy of C, 4 bytes, the mask, 1, and its double form, 8; initialisation's real-row mask, 8, is garbage
     * by then). What the first forward pass allocates, and ND4J's native memory (its arrays are outside the
     * JVM heap and outside JavaCPP's counters), are not estimated.
     */
    private static void checkHeapForBuild(SdmFile file, String source) throws SdmFormatException {
        long largest = 0;
        for (SdLayerEntry e : file.sdLayers()) {
            largest = Math.max(largest, e.layer().c().length);
        }
        long big = largest;
        long heap = big * BUILD_HEAP_BYTES_PER_ENTRY;
        HeapCheck.require(heap, free -> new SdmFormatException(source + ": building the network needs about " + heap
                + " bytes of heap for its largest SD layer (" + big + " entries of C), only " + free
                + " free; " + HeapCheck.ADVICE));
    }

    /**
     * Checks the contents of a file against the network configuration it holds, without building
     * the network: the CONFIG section must be a configuration of the network type META states,
     * with at least one layer and valid SD hyperparameters (basisWidth, theta, maxCoeff); every
     * parameter of every layer must have its entry (an SD_LAYER section of the configured geometry
     * and weight shape, a FLOAT_ARRAY section of the right role; a frozen layer is matched as the
     * layer it wraps, and a BatchNormalization with locked gamma/beta has no gamma or beta), each
     * layer's parameter count must equal what its entries hold, and no entry may be left over.
     * Nothing the configuration asks for is allocated, so a small file cannot make this (or
     * {@link #build}) allocate more than it describes.
     *
     * @param file        the contents, e.g. {@link SdmReader.Result#file()}
     * @param source      the file, for messages
     * @param formatMinor the minor version the contents were read from
     * @throws SdmFormatException naming the file, the section or layer, the rule and the value
     */
    public static void check(SdmFile file, String source, int formatMinor) throws SdmFormatException {
        matchConfiguration(file, source, formatMinor >= SdLayerCodec.UNIT_ROWS_SINCE_MINOR);
    }

    /** A configured layer, with the prefix of its entries and a description for messages. */
    private record ConfiguredLayer(String prefix, org.deeplearning4j.nn.conf.layers.Layer layer, String where) {
    }

    /** Parses CONFIG, matches every entry against it (see {@link #check}) and returns the configuration. */
    private static Object matchConfiguration(SdmFile file, String source, boolean storesR) throws SdmFormatException {
        NetworkType type = file.networkType();
        if (type != NetworkType.MULTI_LAYER_NETWORK && type != NetworkType.COMPUTATION_GRAPH) {
            throw new SdmFormatException(source + ": section META: network type " + type
                    + " is not a DL4J network (MULTI_LAYER_NETWORK or COMPUTATION_GRAPH)");
        }
        checkConfigOutline(file.configJson(), type, source);
        Object conf;
        List<ConfiguredLayer> layers = new ArrayList<>();
        try {
            if (type == NetworkType.MULTI_LAYER_NETWORK) {
                MultiLayerConfiguration mc = MultiLayerConfiguration.fromJson(file.configJson());
                if (mc == null || mc.getConfs() == null || mc.getConfs().isEmpty()) {
                    throw new SdmFormatException(source + ": section CONFIG: the MultiLayerConfiguration has no layers"
                            + " (a network needs at least one)");
                }
                for (int i = 0; i < mc.getConfs().size(); i++) {
                    NeuralNetConfiguration c = mc.getConf(i);
                    if (c == null || c.getLayer() == null) {
                        throw new SdmFormatException(source + ": section CONFIG: layer " + i + " has no layer configuration");
                    }
                    org.deeplearning4j.nn.conf.layers.Layer l = c.getLayer();
                    layers.add(new ConfiguredLayer(String.valueOf(i), l, l.getClass().getSimpleName() + "(name="
                            + l.getLayerName() + ", index=" + i + ")"));
                }
                conf = mc;
            } else {
                ComputationGraphConfiguration gc = ComputationGraphConfiguration.fromJson(file.configJson());
                if (gc == null || gc.getVertices() == null || gc.getVertices().isEmpty()) {
                    throw new SdmFormatException(source + ": section CONFIG: the ComputationGraphConfiguration has no"
                            + " vertices (a network needs at least one layer)");
                }
                for (Map.Entry<String, GraphVertex> v : gc.getVertices().entrySet()) {
                    // a FrozenVertex around a layer holds that layer's parameters (the converter keeps it dense)
                    GraphVertex vertex = v.getValue() instanceof org.deeplearning4j.nn.conf.graph.FrozenVertex fv
                            && fv.getUnderlying() instanceof LayerVertex ? fv.getUnderlying() : v.getValue();
                    if (vertex instanceof LayerVertex lv) {
                        if (lv.getLayerConf() == null || lv.getLayerConf().getLayer() == null) {
                            throw new SdmFormatException(source + ": section CONFIG: vertex '" + v.getKey()
                                    + "' has no layer configuration");
                        }
                        org.deeplearning4j.nn.conf.layers.Layer l = lv.getLayerConf().getLayer();
                        String name = l.getLayerName() != null ? l.getLayerName() : v.getKey();
                        layers.add(new ConfiguredLayer(name, l, l.getClass().getSimpleName() + "(name=" + name + ")"));
                    } else if (v.getValue() != null && v.getValue().numParams(true) != 0) {
                        throw new SdmFormatException(source + ": section CONFIG: vertex '" + v.getKey() + "' ("
                                + v.getValue().getClass().getSimpleName() + ") has " + v.getValue().numParams(true)
                                + " parameters, but an .sdm file stores only the parameters of layers");
                    }
                }
                if (layers.isEmpty()) {
                    throw new SdmFormatException(source + ": section CONFIG: the ComputationGraphConfiguration has no"
                            + " layers (a network needs at least one)");
                }
                conf = gc;
            }
        } catch (RuntimeException e) {
            throw unloadableConfiguration(file.configJson(), source, e);
        }
        // the parameters' data type, in which every stored value must be representable
        DataType dataType = conf instanceof MultiLayerConfiguration mlc ? mlc.getDataType()
                : ((ComputationGraphConfiguration) conf).getDataType();
        try {
            if (conf instanceof ComputationGraphConfiguration gc) {
                ConfigurationCheck.network(gc);
            } else {
                ConfigurationCheck.network((MultiLayerConfiguration) conf);
            }
        } catch (IllegalArgumentException e) {
            throw new SdmFormatException(source + ": section CONFIG: " + e.getMessage(), e);
        }
        Set<String> used = new HashSet<>();
        for (ConfiguredLayer l : layers) {
            matchLayer(file, source, storesR, l, used, dataType);
        }
        List<String> extra = new ArrayList<>();
        for (SdmEntry e : file.entries()) {
            if (!used.contains(e.sectionType() + "/" + e.name())) {
                extra.add(e.name());
            }
        }
        if (!extra.isEmpty()) {
            throw new SdmFormatException(source + ": sections " + extra + " match no parameter of the configured network");
        }
        return conf;
    }

    /**
     * Matches the entries of one configured layer: SD hyperparameters, the SD_LAYER section's geometry and
     * weight shape, each FLOAT_ARRAY's presence and role, and the layer's parameter count against what its
     * entries hold (so initialising the network allocates no more than the file describes).
     */
    private static void matchLayer(SdmFile file, String source, boolean storesR, ConfiguredLayer cl, Set<String> used,
                                   DataType type)
            throws SdmFormatException {
        String config = source + ": section CONFIG: ";
        // As initialised, a frozen layer's parameters are those of the layer it wraps (its live
        // conf().getLayer() is the inner layer, which toSdm writes and build fills): match against that.
        org.deeplearning4j.nn.conf.layers.Layer layer = unwrapFrozen(cl.layer(), config + cl.where());
        ParamInitializer init;
        long want;
        List<String> keys;
        try {
            if (layer instanceof SdLayer sd) {
                SdLayer.checkBasisWidth(cl.where(), sd.getBasisWidth());
                SdLayer.checkTheta(cl.where(), sd.getTheta());
                SdLayer.checkMaxCoeff(cl.where(), sd.getMaxCoeff());
            }
            init = layer.initializer();
            want = init.numParams(layer);
            keys = new ArrayList<>(init.paramKeys(layer));
            if (layer instanceof BatchNormalization bn && bn.isLockGammaBeta()) {
                // DL4J's BatchNormalizationParamInitializer lists gamma and beta in paramKeys, but with
                // lockGammaBeta they are constants of the configuration: numParams (2 nOut) leaves them
                // out and init creates only mean and var/log10stdev, so the file holds no entry for them.
                keys.remove(BatchNormalizationParamInitializer.GAMMA);
                keys.remove(BatchNormalizationParamInitializer.BETA);
            }
            if (layer instanceof org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer c
                    && !keys.contains(org.deeplearning4j.nn.params.CenterLossParamInitializer.CENTER_KEY)) {
                // DL4J's CenterLossParamInitializer counts and lists the class centres (nOut x nIn) only in its
                // NeuralNetConfiguration overloads; init creates them, the writer stores them (a fuzzing audit found
                // a converted center-loss network whose .sdm did not load)
                keys.add(org.deeplearning4j.nn.params.CenterLossParamInitializer.CENTER_KEY);
                want = Math.addExact(want, Math.multiplyExact(c.getNIn(), c.getNOut()));
            }
        } catch (RuntimeException e) {
            throw new SdmFormatException(config + (e.getMessage() != null && e.getMessage().startsWith(cl.where())
                    ? e.getMessage() : cl.where() + ": " + e.getMessage()), e);
        }
        long have = 0;
        List<String> held = new ArrayList<>();
        if (layer instanceof SdLayer sd) {
            SdLayerEntry e = file.sdLayer(cl.prefix()).orElseThrow(() -> new SdmFormatException(
                    source + ": section SD_LAYER '" + cl.prefix() + "' is missing for SD layer " + cl.where()));
            checkGeometry(e, sd, source, storesR);
            String where = source + ": section SD_LAYER '" + e.name() + "': ";
            checkRepresentable(e.layer().c(), null, type, where + "C");
            checkRepresentable(e.layer().b().toDoubles(), e.layer().b(), type, where + "B");
            have += 2L * e.layer().c().length + e.layer().b().values().length;
            held.add("SD_LAYER '" + e.name() + "'");
            used.add(SectionType.SD_LAYER + "/" + e.name());
        }
        for (String key : keys) {
            if (layer instanceof SdLayer && isEncoded(key)) {
                continue;
            }
            String name = cl.prefix() + "_" + key;
            FloatArrayEntry f = file.floatArray(name).orElseThrow(() -> new SdmFormatException(
                    source + ": section FLOAT_ARRAY '" + name + "' is missing (parameter " + key + " of " + cl.where() + ")"));
            FloatArrayEntry.Role role = !(layer instanceof SdLayer) && init.isWeightParam(layer, key)
                    ? FloatArrayEntry.Role.DENSE_WEIGHT : FloatArrayEntry.Role.OTHER;
            if (f.role() != role) {
                throw new SdmFormatException(source + ": section FLOAT_ARRAY '" + name + "' has role " + f.role()
                        + " (" + f.role().ordinal() + ") but parameter " + key + " of " + cl.where() + " is "
                        + (role == FloatArrayEntry.Role.DENSE_WEIGHT ? "a dense weight" : "not a dense conv/FC weight")
                        + ": the role must be " + role + " (" + role.ordinal() + ")");
            }
            checkRepresentable(f, type, source);
            have += f.values().length;
            held.add("FLOAT_ARRAY '" + name + "' " + Arrays.toString(f.shape()));
            used.add(SectionType.FLOAT_ARRAY + "/" + name);
        }
        if (have != want) {
            throw new SdmFormatException(config + cl.where() + " has " + want + " parameters but its sections "
                    + held + " hold " + have);
        }
    }

    /**
     * The layer a {@link FrozenLayer} or {@link FrozenLayerWithBackprop} wraps (repeatedly), else
     * {@code layer} itself.
     */
    private static org.deeplearning4j.nn.conf.layers.Layer unwrapFrozen(org.deeplearning4j.nn.conf.layers.Layer layer,
                                                                        String where) throws SdmFormatException {
        org.deeplearning4j.nn.conf.layers.Layer l = Networks.unwrapFrozen(layer);
        if (l == null) {
            throw new SdmFormatException(where + ": the frozen layer wraps no layer");
        }
        return l;
    }

    /**
     * Rejects, before DL4J parses it, a configuration that is not a JSON object or lacks the layers
     * of the network type META states (DL4J fails on those with a NullPointerException or an index
     * error). Only the top level is scanned, with a streaming parser; anything it cannot parse is
     * left to DL4J's own message.
     */
    private static void checkConfigOutline(String json, NetworkType type, String source) throws SdmFormatException {
        boolean mln = type == NetworkType.MULTI_LAYER_NETWORK;
        String expected = mln ? "MultiLayerConfiguration" : "ComputationGraphConfiguration";
        String key = mln ? "confs" : "vertices";
        String otherKey = mln ? "vertices" : "confs";
        String meta = "META states network type " + type.code() + " (" + type + ")";
        boolean found = false;
        boolean empty = false;
        boolean other = false;
        JsonToken first;
        try (JsonParser p = new JsonFactory().createParser(json)) {
            first = p.nextToken();
            while (first == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.getCurrentName();
                JsonToken v = p.nextToken();
                if (name.equals(key)) {
                    found = true;
                    JsonToken item = v == JsonToken.START_ARRAY || v == JsonToken.START_OBJECT ? p.nextToken() : null;
                    empty = v == JsonToken.VALUE_NULL || item == JsonToken.END_ARRAY || item == JsonToken.END_OBJECT;
                    if (item != null && !empty) {
                        p.skipChildren(); // no-op unless the first element is a container
                        skipRest(p);
                    }
                } else {
                    other |= name.equals(otherKey);
                    p.skipChildren();
                }
            }
        } catch (java.io.IOException e) {
            return; // malformed JSON: DL4J's parser reports it
        }
        if (first != JsonToken.START_OBJECT) {
            throw new SdmFormatException(source + ": section CONFIG: the configuration must be a JSON object (a DL4J "
                    + expected + ", as " + meta + "), got " + (first == null ? "no JSON value" : describe(first)));
        }
        if (!found || empty) {
            String hint = other && !found ? "; it holds '" + otherKey + "' as a "
                    + (mln ? "ComputationGraphConfiguration" : "MultiLayerConfiguration") + " does, but " + meta
                    : " (" + meta + ")";
            throw new SdmFormatException(source + ": section CONFIG: the " + expected + " has no layers ('" + key + "' is "
                    + (found ? "empty" : "missing") + ")" + hint);
        }
    }

    /** Skips the remaining values of the container the parser is in, up to and including its end. */
    private static void skipRest(JsonParser p) throws java.io.IOException {
        JsonToken t;
        while ((t = p.nextToken()) != null && t != JsonToken.END_ARRAY && t != JsonToken.END_OBJECT) {
            if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                p.skipChildren();
            }
        }
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    private static boolean isEncoded(String key) {
        return key.equals(SdParamInitializer.C_KEY) || key.equals(SdParamInitializer.B_KEY)
                || key.equals(SdParamInitializer.MASK_KEY);
    }

    private static SdLayerEntry sdEntry(String prefix, SdLayer sd, Map<String, INDArray> params) {
        SdSliceShape s = sd.sliceShape();
        INDArray c = params.get(SdParamInitializer.C_KEY);
        INDArray mask = params.get(SdParamInitializer.MASK_KEY);
        INDArray eff = Nd4j.createUninitialized(c.dataType(), c.shape(), 'c');
        SdWeights.of(sd).effectiveCoefficients(c, mask, eff);
        double[] cv = eff.castTo(DataType.DOUBLE).data().asDouble();
        boolean[] mv = new boolean[cv.length];
        double[] md = mask.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        for (int i = 0; i < mv.length; i++) {
            mv[i] = md[i] != 0;
        }
        double[] b = params.get(SdParamInitializer.B_KEY).dup('c').castTo(DataType.DOUBLE).data().asDouble();
        SdLayerData data = new SdLayerData(Math.toIntExact(s.numSlices()), Math.toIntExact(s.sliceHeight()),
                s.basisWidth(), Math.toIntExact(s.rows()), cv, Int8Basis.quantize(b, Math.toIntExact(s.numSlices())));
        return new SdLayerEntry(prefix, prefix, sd.weightShape(), data, mv);
    }

    /**
     * Checks that a stored SD layer fits the slice geometry its configuration asks for: [K, m, n], in
     * files that store it (format 2.3 on) the real rows per unit R, and the weight count of its weight
     * shape (units x weights per unit; the paper CR counts it).
     *
     * @param e       the stored layer
     * @param s       the geometry of the configured layer ({@link SdLayer#sliceShape()})
     * @param source  the file, for messages
     * @param storesR whether the file's format stores R ({@link SdmReader.Result#formatMinor()} &gt;=
     *                {@link SdLayerCodec#UNIT_ROWS_SINCE_MINOR})
     * @throws SdmFormatException naming the section, what it holds and what the configuration needs
     */
    public static void checkGeometry(SdLayerEntry e, SdSliceShape s, String source, boolean storesR)
            throws SdmFormatException {
        SdLayerData d = e.layer();
        if (d.sliceCount() != s.numSlices() || d.sliceRows() != s.sliceHeight() || d.width() != s.basisWidth()) {
            throw new SdmFormatException(source + ": section SD_LAYER '" + e.name() + "' holds [K, m, n] = ["
                    + d.sliceCount() + ", " + d.sliceRows() + ", " + d.width() + "] but the configuration needs ["
                    + s.numSlices() + ", " + s.sliceHeight() + ", " + s.basisWidth() + "]");
        }
        if (storesR && d.unitRows() != s.rows()) {
            throw new SdmFormatException(source + ": section SD_LAYER '" + e.name() + "' holds R = " + d.unitRows()
                    + " real rows per unit but the configuration needs R = ceil(" + s.weightsPerUnit() + " weights / n = "
                    + s.basisWidth() + ") = " + s.rows());
        }
        long weights = e.parameterCount();
        if (weights != s.units() * s.weightsPerUnit()) {
            throw new SdmFormatException(source + ": section SD_LAYER '" + e.name() + "' has weight shape "
                    + Arrays.toString(e.weightShape()) + " = " + weights + " weights but the configuration's layer has "
                    + s.units() + " units x " + s.weightsPerUnit() + " weights = " + s.units() * s.weightsPerUnit());
        }
    }

    /**
     * As {@link #checkGeometry(SdLayerEntry, SdSliceShape, String, boolean)}, and the weight shape
     * must be the configured layer's {@link SdLayer#weightShape()} exactly.
     *
     * @param e       the stored layer
     * @param sd      the configured layer
     * @param source  the file, for messages
     * @param storesR whether the file's format stores R
     * @throws SdmFormatException naming the section, what it holds and what the configuration needs
     */
    public static void checkGeometry(SdLayerEntry e, SdLayer sd, String source, boolean storesR)
            throws SdmFormatException {
        SdSliceShape s;
        try {
            s = sd.sliceShape();
        } catch (RuntimeException ex) {
            throw new SdmFormatException(source + ": section CONFIG: SD layer " + e.name() + ": " + ex.getMessage(), ex);
        }
        checkGeometry(e, s, source, storesR);
        if (!Arrays.equals(e.weightShape(), sd.weightShape())) {
            throw new SdmFormatException(source + ": section SD_LAYER '" + e.name() + "' has weight shape "
                    + Arrays.toString(e.weightShape()) + " but the configuration's layer has "
                    + Arrays.toString(sd.weightShape()));
        }
    }

    private static void fillSd(SdLayerEntry e, SdLayer sd, Map<String, INDArray> params, String source,
                               boolean storesR) throws SdmFormatException {
        checkGeometry(e, sd, source, storesR);
        SdLayerData d = e.layer();
        INDArray c = params.get(SdParamInitializer.C_KEY);
        INDArray b = params.get(SdParamInitializer.B_KEY);
        INDArray m = params.get(SdParamInitializer.MASK_KEY);
        String where = source + ": section SD_LAYER '" + e.name() + "': ";
        c.assign(cast(d.c(), c));
        b.assign(cast(d.b().toDoubles(), b));
        boolean[] mask = e.effectiveMask();
        double[] md = new double[mask.length];
        for (int i = 0; i < md.length; i++) {
            md[i] = mask[i] ? 1 : 0;
        }
        m.assign(Nd4j.create(md, m.shape(), 'c').castTo(m.dataType()));
    }

    /**
     * Fails on the first of {@code values} that the network's data type would not keep: for C ({@code b}
     * null, exact powers of two) any change; for B (the decoded {@code b}) an overflow to infinity or a
     * non-zero int8 value that becomes 0 (also already in double, e.g. f = 1100). Run by {@link #check}, so
     * {@code inspect} refuses what loading refuses.
     */
    private static void checkRepresentable(double[] values, Int8Basis b, DataType type, String what)
            throws SdmFormatException {
        if (type == DataType.DOUBLE) {
            for (int i = 0; i < values.length; i++) {
                checkKept(values, b, i, values[i], what, DataType.DOUBLE);
            }
            return;
        }
        for (int i = 0; i < values.length; i++) {
            checkKept(values, b, i, (float) values[i], what, DataType.FLOAT);
        }
        if (type != DataType.FLOAT) {
            // through ND4J's own conversion, a chunk at a time: no copy as long as C
            for (int from = 0; from < values.length; from += CHECK_CHUNK) {
                int to = Math.min(values.length, from + CHECK_CHUNK);
                float[] f = new float[to - from];
                for (int i = from; i < to; i++) {
                    f[i - from] = (float) values[i];
                }
                double[] back = throughType(f, type);
                for (int i = from; i < to; i++) {
                    checkKept(values, b, i, back[i - from], what, type);
                }
            }
        }
    }

    /** Float values as ND4J converts them to {@code type} and back, widened to double. */
    private static double[] throughType(float[] values, DataType type) {
        return Nd4j.create(values).castTo(type).castTo(DataType.DOUBLE).data().asDouble();
    }

    /** {@code values} as an array of the parameter's shape and data type (checked by {@link #checkRepresentable}). */
    private static INDArray cast(double[] values, INDArray param) {
        if (param.dataType() == DataType.DOUBLE) {
            return Nd4j.create(values, param.shape(), 'c');
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        INDArray a = Nd4j.create(f, param.shape(), 'c');
        return param.dataType() == DataType.FLOAT ? a : a.castTo(param.dataType());
    }

    private static void checkKept(double[] values, Int8Basis b, int i, double converted, String what, DataType type)
            throws SdmFormatException {
        double v = values[i];
        boolean kept = b == null ? converted == v
                : Double.isFinite(converted) && (b.values()[i] == 0 || converted != 0);
        if (!kept) {
            String value = b == null ? String.valueOf(v) : b.values()[i] + " x 2^" + (-b.fracBitsOf(i)) + " = " + v;
            throw new SdmFormatException(what + "[" + i + "] = " + value + " is not representable in the network's"
                    + " data type " + type + " (it would become " + converted + "); " + (b == null
                    ? "every value must convert exactly" : "no value may overflow or become 0"));
        }
    }

    /**
     * Fails when a float array's value would not survive the network's data type: float32 values are finite
     * ({@link FloatArrayEntry}), so only a narrower type (HALF) can overflow one or turn it into 0.
     */
    private static void checkRepresentable(FloatArrayEntry e, DataType type, String source) throws SdmFormatException {
        if (type == DataType.FLOAT || type == DataType.DOUBLE) {
            return;
        }
        float[] values = e.values();
        for (int from = 0; from < values.length; from += CHECK_CHUNK) {
            int to = Math.min(values.length, from + CHECK_CHUNK);
            double[] back = throughType(Arrays.copyOfRange(values, from, to), type);
            for (int i = from; i < to; i++) {
                float v = values[i];
                double w = back[i - from];
                if (!Double.isFinite(w) || (v != 0 && w == 0)) {
                    throw new SdmFormatException(source + ": section FLOAT_ARRAY '" + e.name() + "': values[" + i
                            + "] = " + v + " is not representable in the network's data type " + type
                            + " (it would become " + w + "); no value may overflow or become 0");
                }
            }
        }
    }

    private static FloatArrayEntry floatEntry(String name, FloatArrayEntry.Role role, INDArray v) {
        return new FloatArrayEntry(name, role, v.shape(), v.dup('c').castTo(DataType.FLOAT).data().asFloat());
    }

    private static String prefix(Model net, Layer layer) {
        return net instanceof MultiLayerNetwork ? String.valueOf(layer.getIndex()) : layer.conf().getLayer().getLayerName();
    }
}
