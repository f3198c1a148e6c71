package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.smartdeal.codec.FloatArrayEntry;
import org.smartdeal.codec.SdLayerEntry;
import org.smartdeal.codec.SdmFile;
import org.smartdeal.codec.SdmReader;
import org.smartdeal.codec.SectionInfo;
import org.smartdeal.codec.SectionType;
import org.smartdeal.codec.StorageBreakdown;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code smartdeal inspect}: what a {@code .sdm} file holds, per layer and in total, from the file alone. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Per-layer table and totals of a .sdm file: shapes, C density, bits by kind, paper CR.")
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.sdm", description = "the model file")
    Path file;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Override
    public Integer call() throws IOException {
        SdmReader.Result r;
        try {
            r = SdmReader.read(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadInputException(file + ": file not found", e);
        } catch (IOException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        SdmFile f = r.file();
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("file", file.toString()).put("networkType", f.networkType().name()).put("fileBytes", r.layout().fileBytes());
        ArrayNode layers = root.putArray("layers");
        for (SectionInfo s : r.layout().sections()) {
            if (s.type() == SectionType.SD_LAYER) {
                SdLayerEntry e = f.sdLayer(s.name()).orElseThrow();
                long entries = e.layer().c().length;
                ObjectNode n = layers.addObject();
                n.put("name", e.name()).put("kind", "SD").put("weightShape", Arrays.toString(e.weightShape()))
                        .put("slices", e.layer().sliceCount()).put("sliceRows", e.layer().sliceRows())
                        .put("width", e.layer().width()).put("cDensity", (double) e.layer().nonZeros() / entries)
                        .put("explicitMask", e.hasExplicitMask());
                bits(n, s.breakdown(), s.payloadBytes() + SectionInfo.FRAMING_BYTES);
            } else if (s.type() == SectionType.FLOAT_ARRAY) {
                FloatArrayEntry e = f.floatArray(s.name()).orElseThrow();
                ObjectNode n = layers.addObject();
                n.put("name", e.name()).put("kind", e.role() == FloatArrayEntry.Role.DENSE_WEIGHT ? "dense weight" : "float32")
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
        o.printf(Locale.ROOT, "%s: %s, %d bytes%n", file, f.networkType(), r.layout().fileBytes());
        o.printf(Locale.ROOT, "%-28s %-13s %-20s %8s %8s %10s%n", "entry", "kind", "shape", "slices", "C dens", "bytes");
        for (var n : layers) {
            o.printf(Locale.ROOT, "%-28s %-13s %-20s %8s %8s %10d%n", n.get("name").asText(), n.get("kind").asText(),
                    n.get("weightShape").asText(), n.has("slices") ? n.get("slices").asText() : "",
                    n.has("cDensity") ? String.format(Locale.ROOT, "%.4f", n.get("cDensity").asDouble()) : "",
                    n.get("bytes").asLong());
        }
        o.printf(Locale.ROOT, "bits: index %d, C %d, tables %d, B %d, dense weights %d, other %d (= 8 x %d bytes)%n",
                all.indexBits(), all.cBits(), all.tableBits(), all.bBits(), all.denseWeightBits(), all.otherBits(),
                all.totalBits() / 8);
        o.printf(Locale.ROOT, "weights %d | paper CR %.2fx | file CR %.2fx%n", denseWeights,
                t.get("paperCR").asDouble(), t.get("fileCR").asDouble());
        return SmartDeal.EXIT_OK;
    }

    private static void bits(ObjectNode n, StorageBreakdown b, long bytes) {
        n.put("bytes", bytes).put("indexBits", b.indexBits()).put("cBits", b.cBits()).put("tableBits", b.tableBits())
                .put("bBits", b.bBits()).put("denseWeightBits", b.denseWeightBits()).put("otherBits", b.otherBits());
    }
}
