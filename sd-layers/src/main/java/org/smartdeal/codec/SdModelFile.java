package org.smartdeal.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 *       P(C) .* M (what the forward pass uses) Huffman-coded, B as int8 with one power-of-two
 *       scale, and the mask M when it differs from C != 0. Its bias is a float32 array.</li>
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

    /** File-name extension of SmartDeal model files. */
    public static final String EXTENSION = ".sdm";

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
        Map<String, String> props = new LinkedHashMap<>();
        props.put("writer", "smartdeal-dl4j");
        props.put("dl4j", "1.0.0-M2.1");
        return new SdmFile(type, json, props, entries);
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
     * @param file the contents
     * @param source name used in error messages
     * @param formatMinor the minor version the contents were read from
     * @return the network
     * @throws SdmFormatException when the contents do not match the configuration
     */
    public static Model build(SdmFile file, String source, int formatMinor) throws SdmFormatException {
        boolean storesR = formatMinor >= SdLayerCodec.UNIT_ROWS_SINCE_MINOR;
        Model net;
        try {
            if (file.networkType() == NetworkType.MULTI_LAYER_NETWORK) {
                MultiLayerNetwork m = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(file.configJson()));
                m.init();
                net = m;
            } else if (file.networkType() == NetworkType.COMPUTATION_GRAPH) {
                ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(file.configJson()));
                g.init();
                net = g;
            } else {
                throw new SdmFormatException(source + ": section META: network type " + file.networkType()
                        + " is not a DL4J network (MULTI_LAYER_NETWORK or COMPUTATION_GRAPH)");
            }
        } catch (RuntimeException e) {
            throw new SdmFormatException(source + ": section CONFIG: not a loadable DL4J configuration: " + e.getMessage(), e);
        }
        Set<String> used = new LinkedHashSet<>();
        for (Layer layer : Networks.layers(net)) {
            String prefix = prefix(net, layer);
            Map<String, INDArray> params = layer.paramTable();
            if (layer.conf().getLayer() instanceof SdLayer sd) {
                SdLayerEntry e = file.sdLayer(prefix).orElseThrow(() -> new SdmFormatException(
                        source + ": section SD_LAYER '" + prefix + "' is missing for SD layer " + prefix));
                fillSd(e, sd, params, source, storesR);
                used.add(prefix);
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
                p.getValue().assign(Nd4j.create(e.values(), want, 'c').castTo(p.getValue().dataType()));
                used.add(name);
            }
        }
        List<String> extra = new ArrayList<>();
        for (SdmEntry e : file.entries()) {
            String n = e instanceof SdLayerEntry s ? s.name() : ((FloatArrayEntry) e).name();
            if (!used.contains(n)) {
                extra.add(n);
            }
        }
        if (!extra.isEmpty()) {
            throw new SdmFormatException(source + ": sections " + extra + " match no parameter of the configured network");
        }
        return net;
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
                s.basisWidth(), Math.toIntExact(s.rows()), cv, Int8Basis.quantize(b));
        return new SdLayerEntry(prefix, prefix, sd.weightShape(), data, mv);
    }

    /**
     * Checks that a stored SD layer fits the slice geometry its configuration asks for: [K, m, n] and,
     * in files that store it (format 2.3 on), the real rows per unit R.
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
    }

    private static void fillSd(SdLayerEntry e, SdLayer sd, Map<String, INDArray> params, String source,
                               boolean storesR) throws SdmFormatException {
        checkGeometry(e, sd.sliceShape(), source, storesR);
        SdLayerData d = e.layer();
        INDArray c = params.get(SdParamInitializer.C_KEY);
        INDArray b = params.get(SdParamInitializer.B_KEY);
        INDArray m = params.get(SdParamInitializer.MASK_KEY);
        c.assign(Nd4j.create(d.c(), c.shape(), 'c').castTo(c.dataType()));
        b.assign(Nd4j.create(d.b().toDoubles(), b.shape(), 'c').castTo(b.dataType()));
        boolean[] mask = e.effectiveMask();
        double[] md = new double[mask.length];
        for (int i = 0; i < md.length; i++) {
            md[i] = mask[i] ? 1 : 0;
        }
        m.assign(Nd4j.create(md, m.shape(), 'c').castTo(m.dataType()));
    }

    private static FloatArrayEntry floatEntry(String name, FloatArrayEntry.Role role, INDArray v) {
        return new FloatArrayEntry(name, role, v.shape(), v.dup('c').castTo(DataType.FLOAT).data().asFloat());
    }

    private static String prefix(Model net, Layer layer) {
        return net instanceof MultiLayerNetwork ? String.valueOf(layer.getIndex()) : layer.conf().getLayer().getLayerName();
    }
}
