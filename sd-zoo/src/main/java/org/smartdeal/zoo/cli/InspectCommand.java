package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.smartdeal.codec.FloatArrayEntry;
import org.smartdeal.codec.NetworkType;
import org.smartdeal.codec.SdLayerCodec;
import org.smartdeal.codec.SdLayerEntry;
import org.smartdeal.codec.SdModelFile;
import org.smartdeal.codec.SdmFile;
import org.smartdeal.codec.SdmFormatException;
import org.smartdeal.codec.SdmReader;
import org.smartdeal.codec.SectionInfo;
import org.smartdeal.codec.SectionType;
import org.smartdeal.codec.StorageBreakdown;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.layers.SdSliceShape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code smartdeal inspect}: what a {@code .sdm} file holds, per layer and in total, from the file alone.
 *
 * <p>An SD layer's C density is counted as {@code convert} counts it
 * ({@link org.smartdeal.core.DecompositionStats#cDensity()}): non-zeros of C over its real rows,
 * units x R x n, where the rows that pad each unit's last slice up to m do not count. The layer's
 * geometry ({@link SdSliceShape}: nIn, kernel, basisWidth, sliceRows) comes from the DL4J
 * configuration stored in the file. The JSON also gives the stored (padded) length K*m*n as
 * {@code cEntriesPadded}. A file of network type OTHER carries no DL4J configuration, so its SD
 * layers get no C density. The input shape the file records ({@link RecordedInput}) is shown after its size, and
 * in the JSON as {@code input}.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Per-layer table and totals of a .sdm file: shapes, C density, bits by kind, paper CR, and the "
            + "input shape it records.")
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.sdm", description = "the model file")
    Path file;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Override
    public Integer call() throws IOException {
        InputPaths.requireFile(null, file, "a .sdm file");
        if (ModelFiles.content(file) == ModelFiles.Content.ZIP) {
            throw new BadInputException(file + ": is a zip archive (a DL4J ModelSerializer model?), not a .sdm file; "
                    + "inspect reads .sdm files: `smartdeal evaluate` scores a .zip, `smartdeal convert` makes a .sdm "
                    + "of it");
        }
        SdmReader.Result r;
        try {
            r = SdmReader.read(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw InputPaths.noSuchFile(file.toString(), e);
        } catch (IOException e) {
            // the reader's format errors name the file; a bare file-system error gets its name here
            String m = e.getMessage() != null && e.getMessage().contains(file.toString()) ? e.getMessage()
                    : file + ": " + OutputPaths.reason(e);
            throw new BadInputException(m, e);
        }
        SdmFile f = r.file();
        if (f.networkType() != NetworkType.OTHER) {
            // the checks loading makes (configuration, geometry, roles, parameter counts), without building the
            // network: inspect reports on no file that evaluate would refuse
            try {
                SdModelFile.check(f, file.toString(), r.formatMinor());
            } catch (SdmFormatException e) {
                throw new BadInputException(e.getMessage(), e);
            }
        }
        // a recorded input shape that does not parse is refused here too, as the commands that use it refuse it
        int[] input = RecordedInput.choose(null, f.properties(), file).shape();
        Map<String, String> layerNames = new LinkedHashMap<>();
        Map<String, SdSliceShape> shapes = sliceShapes(f, layerNames);
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("file", file.toString()).put("networkType", f.networkType().name()).put("fileBytes", r.layout().fileBytes());
        if (input != null) {
            root.put("input", RecordedInput.format(input));
        }
        ArrayNode layers = root.putArray("layers");
        for (SectionInfo s : r.layout().sections()) {
            if (s.type() == SectionType.SD_LAYER) {
                SdLayerEntry e = f.sdLayer(s.name()).orElseThrow();
                ObjectNode n = layers.addObject();
                n.put("name", e.name());
                layerName(e.name(), layerNames).ifPresent(l -> n.put("layer", l));
                n.put("kind", "SD").put("weightShape", Arrays.toString(e.weightShape()))
                        .put("slices", e.layer().sliceCount()).put("sliceRows", e.layer().sliceRows())
                        .put("width", e.layer().width());
                if (f.networkType() != NetworkType.OTHER) {
                    SdSliceShape shape = shapeOf(e, shapes, r.formatMinor());
                    long nonZeros = realRowNonZeros(shape, e.layer().c());
                    long entries = shape.realCoefficientLength();
                    n.put("cDensity", (double) nonZeros / entries).put("cNonZeros", nonZeros).put("cEntries", entries);
                }
                n.put("cEntriesPadded", e.layer().c().length).put("explicitMask", e.hasExplicitMask());
                bits(n, s.breakdown(), s.payloadBytes() + SectionInfo.FRAMING_BYTES);
            } else if (s.type() == SectionType.FLOAT_ARRAY) {
                FloatArrayEntry e = f.floatArray(s.name()).orElseThrow();
                ObjectNode n = layers.addObject();
                n.put("name", e.name());
                layerName(e.name(), layerNames).ifPresent(l -> n.put("layer", l));
                n.put("kind", e.role() == FloatArrayEntry.Role.DENSE_WEIGHT ? "dense weight" : "float32")
                        .put("weightShape", Arrays.toString(e.shape()));
                bits(n, s.breakdown(), s.payloadBytes() + SectionInfo.FRAMING_BYTES);
            }
        }
        ObjectNode t = root.putObject("totals");
        long denseWeights = f.denseWeightCount();
        StorageBreakdown all = r.layout().totalBreakdown();
        t.put("weights", denseWeights).put("parameters", f.parameterCount())
                .put("indexBits", all.indexBits()).put("cBits", all.cBits()).put("tableBits", all.tableBits())
                .put("bBits", all.bBits()).put("denseWeightBits", all.denseWeightBits()).put("otherBits", all.otherBits())
                .put("paperCR", StorageBreakdown.paperCR(denseWeights, all))
                .put("fileCR", StorageBreakdown.fileCR(f.parameterCount(), r.layout().fileBytes()));
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            return SmartDeal.EXIT_OK;
        }
        o.printf(Locale.ROOT, "%s: %s, %d bytes%s%n", file, f.networkType(), r.layout().fileBytes(),
                input == null ? "" : ", input " + RecordedInput.format(input));
        o.printf(Locale.ROOT, "%-28s %-13s %-20s %8s %8s %10s%n", "entry", "kind", "shape", "slices", "C dens", "bytes");
        for (var n : layers) {
            String entry = n.get("name").asText() + (n.has("layer") ? " (" + n.get("layer").asText() + ")" : "");
            o.printf(Locale.ROOT, "%-28s %-13s %-20s %8s %8s %10d%n", entry, n.get("kind").asText(),
                    n.get("weightShape").asText(), n.has("slices") ? n.get("slices").asText() : "",
                    n.has("cDensity") ? String.format(Locale.ROOT, "%.4f", n.get("cDensity").asDouble()) : "",
                    n.get("bytes").asLong());
        }
        o.println("bits: " + all.describe());
        o.printf(Locale.ROOT, "weights %d | paper CR %.2fx | file CR %.2fx%n", denseWeights,
                t.get("paperCR").asDouble(), t.get("fileCR").asDouble());
        return SmartDeal.EXIT_OK;
    }

    /**
     * The slice geometry of every SD layer in the stored configuration (frozen ones' inner layers), by section name
     * (the layer index for a MultiLayerNetwork, the layer name for a ComputationGraph, as
     * {@code SdModelFile} writes them). Fills {@code layerNames} with each MultiLayerNetwork layer's configured name
     * by index (a ComputationGraph's sections carry the names already).
     */
    private Map<String, SdSliceShape> sliceShapes(SdmFile f, Map<String, String> layerNames) {
        Map<String, SdSliceShape> out = new LinkedHashMap<>();
        try {
            switch (f.networkType()) {
                case MULTI_LAYER_NETWORK -> {
                    MultiLayerConfiguration c = MultiLayerConfiguration.fromJson(f.configJson());
                    for (int i = 0; i < c.getConfs().size(); i++) {
                        String name = c.getConf(i).getLayer().getLayerName();
                        if (name != null && !name.equals(String.valueOf(i))) {
                            layerNames.put(String.valueOf(i), name);
                        }
                        // an SD layer frozen by TransferLearning is stored as the layer it wraps
                        if (org.smartdeal.layers.Networks.unwrapFrozen(c.getConf(i).getLayer()) instanceof SdLayer sd) {
                            out.put(String.valueOf(i), sd.sliceShape());
                        }
                    }
                }
                case COMPUTATION_GRAPH -> {
                    ComputationGraphConfiguration c = ComputationGraphConfiguration.fromJson(f.configJson());
                    for (Map.Entry<String, GraphVertex> v : c.getVertices().entrySet()) {
                        if (v.getValue() instanceof LayerVertex lv && org.smartdeal.layers.Networks.unwrapFrozen(
                                lv.getLayerConf().getLayer()) instanceof SdLayer sd) {
                            out.put(v.getKey(), sd.sliceShape());
                        }
                    }
                }
                default -> {
                    // not a DL4J network: no configuration to count real rows from, no C density
                }
            }
        } catch (RuntimeException e) {
            throw new BadInputException(file + ": section CONFIG: not a loadable DL4J configuration: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The configured layer name of a MultiLayerNetwork section ("0", or "7_W" for a parameter of layer 7), when the
     * layer has a name of its own.
     */
    private static java.util.Optional<String> layerName(String section, Map<String, String> layerNames) {
        int cut = section.indexOf('_');
        return java.util.Optional.ofNullable(layerNames.get(cut < 0 ? section : section.substring(0, cut)));
    }

    /** The configured geometry of SD section {@code e}, checked against the stored [K, m, n] and R. */
    private SdSliceShape shapeOf(SdLayerEntry e, Map<String, SdSliceShape> shapes, int formatMinor) {
        SdSliceShape s = shapes.get(e.name());
        if (s == null) {
            throw new BadInputException(file + ": section SD_LAYER '" + e.name()
                    + "' matches no SD layer of the stored configuration (SD layers: " + shapes.keySet() + ")");
        }
        try {
            SdModelFile.checkGeometry(e, s, file.toString(), formatMinor >= SdLayerCodec.UNIT_ROWS_SINCE_MINOR);
        } catch (SdmFormatException ex) {
            throw new BadInputException(ex.getMessage(), ex);
        }
        return s;
    }

    /**
     * Non-zeros of packed C in the real rows of each unit, skipping the rows that pad a unit's last
     * slice up to m ({@link SdSliceShape#isRealRow}).
     *
     * @param shape the layer geometry
     * @param c packed C, length {@code shape.coefficientLength()}; not modified
     * @return the count
     */
    static long realRowNonZeros(SdSliceShape shape, double[] c) {
        if (c.length != shape.coefficientLength()) {
            throw new IllegalArgumentException("C length must be K*m*n = " + Arrays.toString(shape.coefficientShape())
                    + " = " + shape.coefficientLength() + ", got " + c.length);
        }
        long perUnit = shape.slicesPerUnit();
        int m = Math.toIntExact(shape.sliceHeight());
        int n = shape.basisWidth();
        long nz = 0;
        for (long k = 0; k < shape.numSlices(); k++) {
            long s = k % perUnit;
            for (int i = 0; i < m && shape.isRealRow(s, i); i++) {
                int base = Math.toIntExact((k * m + i) * n);
                for (int j = 0; j < n; j++) {
                    if (c[base + j] != 0.0) {
                        nz++;
                    }
                }
            }
        }
        return nz;
    }

    private static void bits(ObjectNode n, StorageBreakdown b, long bytes) {
        n.put("bytes", bytes).put("indexBits", b.indexBits()).put("cBits", b.cBits()).put("tableBits", b.tableBits())
                .put("bBits", b.bBits()).put("denseWeightBits", b.denseWeightBits()).put("otherBits", b.otherBits());
    }
}
