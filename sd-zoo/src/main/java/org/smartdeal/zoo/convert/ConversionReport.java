package org.smartdeal.zoo.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.smartdeal.codec.StorageBreakdown;
import org.smartdeal.hw.report.Reports;

/**
 * What a conversion cost and saved, layer by layer and in total (ALGORITHMS.md 1.3 and 4.3).
 * Printable as a table and writable as JSON or CSV.
 *
 * @param layers one row per weight-carrying layer, in network order
 */
public record ConversionReport(List<Row> layers) {

    /**
     * One layer.
     *
     * @param name layer name
     * @param type layer type as converted, e.g. {@code SdConvolutionLayer}; a layer kept dense has its DL4J type with a
     *     mark saying why: {@code DenseLayer (skipped)} (the plan skips it), {@code DenseLayer (frozen)}, or
     *     {@code BatchNormalization (kept)} (a kind with no SD form)
     * @param shape DL4J weight shape, e.g. {@code [64, 3, 3, 3]}
     * @param converted true when the layer is in SD form
     * @param weights number of weights (entries of W)
     * @param slices number of slices (0 when kept dense)
     * @param cDensity non-zeros of C / entries of C (1 when kept dense)
     * @param wDensity non-zeros of the rebuilt W / entries of W
     * @param relError ||W - C*B||_F / ||W||_F (0 when kept dense), W the layer's weights as given, before any
     *     structured pruning, so that the error the pruning causes is in it
     * @param meanIterations mean decomposition iterations per slice
     * @param distinctExponents distinct exponents among C's non-zeros
     * @param prunedChannels output channels masked by the BatchNorm-gamma rule
     * @param indexBits bits of the sparsity index
     * @param cBits Huffman-coded bits of C's non-zeros
     * @param tableBits bits of the Huffman tables
     * @param bBits bits of B (int8)
     * @param denseBits 32 bits per weight of a layer kept dense
     * @param seconds decomposition time of this layer
     * @param weightSq ||W||_F^2, W the layer's weights as given (before any structured pruning): the weight of its
     *     relative error in the model's ({@link ConversionReport#relError})
     */
    public record Row(String name, String type, String shape, boolean converted, long weights, long slices,
                      double cDensity, double wDensity, double relError, double meanIterations, int distinctExponents,
                      int prunedChannels, long indexBits, long cBits, long tableBits, long bBits, long denseBits,
                      double seconds, double weightSq) {

        /** @return bits this layer's weights take in the compressed form */
        public long storedBits() {
            return indexBits + cBits + tableBits + bBits + denseBits;
        }

        /** @return paper CR of this layer alone: 32 bits per weight / stored bits */
        public double paperCR() {
            return storedBits() == 0 ? 0 : 32.0 * weights / storedBits();
        }
    }

    /** Copies the list. */
    public ConversionReport {
        layers = List.copyOf(layers);
    }

    /** @return total number of weights of all conv and dense layers */
    public long totalWeights() {
        return layers.stream().mapToLong(Row::weights).sum();
    }

    /** @return total stored bits (index + C + tables + B + dense layers at 32 bits) */
    public long totalStoredBits() {
        return layers.stream().mapToLong(Row::storedBits).sum();
    }

    /** @return the paper's compression rate (ALGORITHMS.md 4.3): FP32 weight bits / stored bits */
    public double paperCR() {
        long stored = totalStoredBits();
        return stored == 0 ? 0 : 32.0 * totalWeights() / stored;
    }

    /**
     * The model's relative reconstruction error (ALGORITHMS.md 1.3), ||W - C*B||_F / ||W||_F over the weights of all
     * the layers listed, those kept dense contributing their norm and no error: sqrt(sum of relError^2 ||W||^2 / sum
     * of ||W||^2); 0 when every weight is 0.
     *
     * @return the model's relative error
     */
    public double relError() {
        double err = 0;
        double all = 0;
        for (Row r : layers) {
            err += r.relError() * r.relError() * r.weightSq();
            all += r.weightSq();
        }
        return all == 0 ? 0 : Math.sqrt(err / all);
    }

    /**
     * The mean of the layers' relative errors weighted by their weight counts (a dense layer's 0 included): what the
     * totals gave before {@link #relError} (JSON {@code meanRelError}, kept for readers of older reports).
     *
     * @return the weight-count-weighted mean of the layers' relative errors
     */
    public double meanRelError() {
        long w = totalWeights();
        return w == 0 ? 0 : layers.stream().mapToDouble(r -> r.relError() * r.weights()).sum() / w;
    }

    /**
     * @return the weight-weighted density of C over converted layers; 0 when no layer is converted (the table shows
     *     "-", the JSON null and the CSV an empty field then: there is no C)
     */
    public double cDensity() {
        double nz = 0;
        double all = 0;
        for (Row r : layers) {
            if (r.converted()) {
                nz += r.cDensity() * r.weights();
                all += r.weights();
            }
        }
        return all == 0 ? 0 : nz / all;
    }

    private boolean anyConverted() {
        return layers.stream().anyMatch(Row::converted);
    }

    /**
     * @return the converted layers whose C kept no non-zero coefficient (C density 0: their W = C*B is zero, the
     *     layer passes on its bias alone), in network order; empty when there are none
     */
    public List<String> zeroCoefficientLayers() {
        return layers.stream().filter(r -> r.converted() && r.cDensity() == 0).map(Row::name).toList();
    }

    /** @return the weight-weighted density of the rebuilt W over all layers */
    public double wDensity() {
        long w = totalWeights();
        return w == 0 ? 0 : layers.stream().mapToDouble(r -> r.wDensity() * r.weights()).sum() / w;
    }

    /**
     * The table of {@link #toTable()} with the written file's breakdown in bits, "other" (layer headers,
     * padding, biases, names, framing) included, instead of the weights' (ALGORITHMS.md 4.3).
     *
     * @param file the breakdown of the {@code .sdm} written from this conversion ({@code SdmLayout.totalBreakdown()})
     * @return the table and a {@code bits:} line
     */
    public String toTable(StorageBreakdown file) {
        return rows() + String.format(Locale.ROOT, "bits: %s%n", file.describe());
    }

    /**
     * @return a fixed-width table with one line per layer, a totals line and the weights' bits (index, C, tables, B,
     *     dense; what counts in the paper CR: the file's other bits are known once it is written, see
     *     {@link #toTable(StorageBreakdown)})
     */
    public String toTable() {
        return rows() + String.format(Locale.ROOT, "weight bits: index %d, C %d, tables %d, B %d, dense %d%n",
                sum(Row::indexBits), sum(Row::cBits), sum(Row::tableBits), sum(Row::bBits), sum(Row::denseBits));
    }

    /** The header, one line per layer and the totals line. */
    private String rows() {
        StringBuilder sb = new StringBuilder();
        String head = "%-22s %-20s %-18s %9s %7s %7s %9s %10s %10s %8s%n";
        sb.append(String.format(Locale.ROOT, head, "layer", "type", "shape", "weights", "C dens", "W dens",
                "rel err", "stored KB", "paper CR", "seconds"));
        String line = "%-22s %-20s %-18s %9d %7.3f %7.3f %9.2e %10.2f %10.2f %8.3f%n";
        for (Row r : layers) {
            sb.append(String.format(Locale.ROOT, line, clip(r.name(), 22), clipType(r.type(), 20), clip(r.shape(), 18),
                    r.weights(), r.cDensity(), r.wDensity(), r.relError(), r.storedBits() / 8192.0, r.paperCR(), r.seconds()));
        }
        // no converted layer has no C: "-", not a density of 0, which reads as a C of zeros
        String cDens = anyConverted() ? String.format(Locale.ROOT, "%.3f", cDensity()) : "-";
        sb.append(String.format(Locale.ROOT, line.replaceFirst("%7\\.3f", "%7s"), "TOTAL", "", "", totalWeights(), cDens,
                wDensity(), relError(), totalStoredBits() / 8192.0, paperCR(), seconds()));
        return sb.append(keptLine()).toString();
    }

    /**
     * @return "kept dense: 34 of 38 layers, 20,121,920 of 20,772,904 weights (96.9%): SeparableConvolution2D x 34 (...)"
     *     and a line break when layers were kept dense, else "": a table of 38 lines hid that the file stays as large
     *     as the network. The layers are grouped by why they stay dense: skipped by the plan ({@link #SKIPPED_MARK}),
     *     frozen ({@link #FROZEN_MARK}), or of a kind with no SD form
     */
    String keptLine() {
        List<Row> kept = layers.stream().filter(r -> !r.converted()).toList();
        if (kept.isEmpty()) {
            return "";
        }
        long w = kept.stream().mapToLong(Row::weights).sum();
        List<String> why = new java.util.ArrayList<>();
        String skipped = kinds(kept, SKIPPED_MARK);
        if (!skipped.isEmpty()) {
            why.add(skipped + " skipped by the plan");
        }
        String frozen = kinds(kept, FROZEN_MARK);
        if (!frozen.isEmpty()) {
            why.add(frozen + " frozen (kept dense and frozen: convert the network before freezing it)");
        }
        String other = kinds(kept, KEPT_MARK);
        if (!other.isEmpty()) {
            why.add(other + " of a kind with no SD form (DenseLayer, OutputLayer, ConvolutionLayer and "
                    + "SeparableConvolution2D convert, the last with its depthwise half kept dense unless the plan sets "
                    + "convertDepthwise (smartdeal convert --convert-depthwise), which also converts "
                    + "DepthwiseConvolution2D)");
        }
        // a row made elsewhere (Row is public) without a mark: named, without a reason
        String unmarked = kinds(kept.stream().filter(r -> !r.type().endsWith(SKIPPED_MARK)
                && !r.type().endsWith(FROZEN_MARK) && !r.type().endsWith(KEPT_MARK)).toList(), "");
        if (!unmarked.isEmpty()) {
            why.add(unmarked + " not converted");
        }
        long all = totalWeights();
        return String.format(Locale.ROOT, "kept dense: %d of %d layers, %,d of %,d weights (%.1f%%): %s%n", kept.size(),
                layers.size(), w, all, all == 0 ? 0 : 100.0 * w / all, String.join("; ", why));
    }

    /**
     * "DenseLayer x 2, OutputLayer x 1": the kinds of the rows whose type carries {@code mark}, the mark left out, in
     * network order ({@code ""}: every row, its type as it is).
     */
    private static String kinds(List<Row> rows, String mark) {
        java.util.Map<String, Long> n = rows.stream().filter(r -> r.type().endsWith(mark)).collect(
                java.util.stream.Collectors.groupingBy(r -> r.type().substring(0, r.type().length() - mark.length()),
                        java.util.LinkedHashMap::new, java.util.stream.Collectors.counting()));
        StringBuilder k = new StringBuilder();
        n.forEach((type, count) -> k.append(k.length() == 0 ? "" : ", ").append(type).append(" x ").append(count));
        return k.toString();
    }

    /** @return the layers' decomposition seconds, summed */
    private double seconds() {
        return layers.stream().mapToDouble(Row::seconds).sum();
    }

    private long sum(java.util.function.ToLongFunction<Row> f) {
        return layers.stream().mapToLong(f).sum();
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    /** The mark of a frozen layer's row type, which stays dense and frozen: {@code "DenseLayer (frozen)"}. */
    public static final String FROZEN_MARK = " (frozen)";

    /** The mark of the row type of a layer the plan skips ({@code "skip": true}): {@code "OutputLayer (skipped)"}. */
    public static final String SKIPPED_MARK = " (skipped)";

    /** The mark of the row type of a layer of a kind with no SD form (or not converted by this plan's settings). */
    public static final String KEPT_MARK = " (kept)";

    /**
     * A type clipped to n characters keeping its " (kept)", " (frozen)" or " (skipped)" mark; at 20:
     * "DepthwiseCon~ (kept)", "Convolutio~ (frozen)".
     */
    static String clipType(String type, int n) {
        for (String mark : new String[] {KEPT_MARK, FROZEN_MARK, SKIPPED_MARK}) {
            if (type.length() > n && type.endsWith(mark)) {
                return clip(type.substring(0, type.length() - mark.length()), n - mark.length()) + mark;
            }
        }
        return clip(type, n);
    }

    /** @return the report as JSON: {@code layers} (one object per row) and {@code totals} */
    public ObjectNode toJsonNode() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ArrayNode arr = root.putArray("layers");
        for (Row r : layers) {
            ObjectNode n = arr.addObject();
            n.put("name", r.name()).put("type", r.type()).put("shape", r.shape()).put("converted", r.converted())
                    .put("weights", r.weights()).put("slices", r.slices()).put("cDensity", r.cDensity())
                    .put("wDensity", r.wDensity()).put("relError", r.relError()).put("meanIterations", r.meanIterations())
                    .put("distinctExponents", r.distinctExponents()).put("prunedChannels", r.prunedChannels())
                    .put("indexBits", r.indexBits()).put("cBits", r.cBits()).put("tableBits", r.tableBits())
                    .put("bBits", r.bBits()).put("denseWeightBits", r.denseBits()).put("paperCR", r.paperCR())
                    .put("seconds", r.seconds());
        }
        ObjectNode t = root.putObject("totals");
        t.put("weights", totalWeights());
        if (anyConverted()) {
            t.put("cDensity", cDensity());
        } else {
            t.putNull("cDensity");
        }
        t.put("wDensity", wDensity())
                .put("relError", relError()).put("meanRelError", meanRelError())
                .put("indexBits", sum(Row::indexBits)).put("cBits", sum(Row::cBits)).put("tableBits", sum(Row::tableBits))
                .put("bBits", sum(Row::bBits)).put("denseWeightBits", sum(Row::denseBits)).put("totalBits", totalStoredBits())
                .put("paperCR", paperCR()).put("seconds", seconds());
        return root;
    }

    /** @return the JSON text of {@link #toJsonNode()} */
    public String toJson() {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJsonNode());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return a header line, one CSV line per layer and a last line named {@code TOTAL} with the figures of the JSON
     *     {@code totals}: the sums of the counts (weights, slices, pruned channels, the bits), the weight-weighted
     *     densities ({@link #cDensity}, {@link #wDensity}), the model's relative error ({@link #relError}),
     *     {@link #paperCR} and the summed seconds; type, shape, converted, meanIterations and distinctExponents are
     *     empty there. A name or type holding a comma, a quote or a line break is quoted as RFC 4180 says.
     */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("name,type,shape,converted,weights,slices,cDensity,wDensity,relError,"
                + "meanIterations,distinctExponents,prunedChannels,indexBits,cBits,tableBits,bBits,denseWeightBits,paperCR,seconds\n");
        for (Row r : layers) {
            sb.append(String.join(",", Reports.csv(r.name()), Reports.csv(r.type()), "\"" + r.shape() + "\"", Boolean.toString(r.converted()),
                    Long.toString(r.weights()), Long.toString(r.slices()), Double.toString(r.cDensity()),
                    Double.toString(r.wDensity()), Double.toString(r.relError()), Double.toString(r.meanIterations()),
                    Integer.toString(r.distinctExponents()), Integer.toString(r.prunedChannels()),
                    Long.toString(r.indexBits()), Long.toString(r.cBits()), Long.toString(r.tableBits()),
                    Long.toString(r.bBits()), Long.toString(r.denseBits()), Double.toString(r.paperCR()),
                    Double.toString(r.seconds()))).append('\n');
        }
        sb.append(String.join(",", "TOTAL", "", "", "", Long.toString(totalWeights()), Long.toString(sum(Row::slices)),
                anyConverted() ? Double.toString(cDensity()) : "", Double.toString(wDensity()), Double.toString(relError()), "", "",
                Long.toString(sum(Row::prunedChannels)), Long.toString(sum(Row::indexBits)), Long.toString(sum(Row::cBits)),
                Long.toString(sum(Row::tableBits)), Long.toString(sum(Row::bBits)), Long.toString(sum(Row::denseBits)),
                Double.toString(paperCR()), Double.toString(seconds()))).append('\n');
        return sb.toString();
    }
}
