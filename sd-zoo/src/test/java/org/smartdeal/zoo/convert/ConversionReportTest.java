package org.smartdeal.zoo.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.JsonNode;

/** The CSV form of a {@link ConversionReport}: one line per layer and a total line holding the JSON totals. */
class ConversionReportTest {

    /**
     * A converted 6x4 dense layer (||W||^2 = 4) and a 2x5 layer kept dense (32 bits per weight, ||W||^2 = 12), figures
     * by hand.
     */
    private static final ConversionReport REPORT = new ConversionReport(List.of(
            new ConversionReport.Row("fc1", "SdDenseLayer", "[6, 4]", true, 24, 2, 0.5, 0.75, 0.25, 3.0, 4, 1,
                    30, 40, 10, 16, 0, 0.5, 4),
            new ConversionReport.Row("fc2", "DenseLayer (kept)", "[2, 5]", false, 10, 0, 1.0, 1.0, 0.0, 0.0, 0, 0,
                    0, 0, 0, 0, 320, 0.25, 12)));

    @Test
    void theCsvEndsWithATotalLineOfTheJsonTotals() {
        String[] lines = REPORT.toCsv().split("\n");
        assertEquals(4, lines.length, "header, two layers, total");
        String[] head = fields(lines[0]);
        String[] fc1 = fields(lines[1]);
        String[] fc2 = fields(lines[2]);
        String[] total = fields(lines[3]);
        assertEquals("[6, 4]", fc1[2]);
        assertEquals(head.length, total.length, lines[3]);
        assertEquals("TOTAL", total[0]);
        JsonNode totals = REPORT.toJsonNode().get("totals");
        for (int k = 1; k < head.length; k++) {
            String col = head[k];
            switch (col) {
                // counts: the sums of the layer lines (24 + 10 weights, 2 + 0 slices, ...)
                case "weights", "slices", "prunedChannels", "indexBits", "cBits", "tableBits", "bBits",
                        "denseWeightBits" -> assertEquals(Long.parseLong(fc1[k]) + Long.parseLong(fc2[k]),
                        Long.parseLong(total[k]), col);
                // weighted means, the model's relative error and rates: the JSON totals
                case "cDensity", "wDensity", "relError", "paperCR", "seconds" -> assertEquals(
                        totals.get(col).asDouble(), Double.parseDouble(total[k]), col);
                // no total: a layer's own description, a per-slice mean, a per-layer count of distinct values
                default -> assertEquals("", total[k], col);
            }
        }
        // by hand: cDensity over the converted layer only, wDensity (0.75*24 + 10)/34, the model's relative error
        // (ALGORITHMS.md 1.3) ||W - C*B|| / ||W|| = sqrt(0.25^2 * 4 / (4 + 12)) = 0.125 (the kept layer adds its norm
        // and no error), paper CR 32*34 / (30 + 40 + 10 + 16 + 320) bits
        assertEquals(0.5, Double.parseDouble(total[6]));
        assertEquals(28.0 / 34, Double.parseDouble(total[7]), 1e-15);
        assertEquals(0.125, Double.parseDouble(total[8]), 1e-15);
        assertEquals(0.125, REPORT.relError(), 1e-15);
        // the weight-count mean of earlier reports, still in the JSON: 0.25 * 24 / 34
        assertEquals(6.0 / 34, totals.get("meanRelError").asDouble(), 1e-15);
        assertEquals(32.0 * 34 / 416, Double.parseDouble(total[17]), 1e-12);
        assertEquals("34", total[4]);
    }

    /**
     * A DL4J layer name holding a comma (legal in DL4J) is quoted as RFC 4180 says, so the row keeps the header's
     * columns (it gave one field more, every later column shifted, before the quoting).
     */
    @Test
    void aLayerNameWithACommaKeepsTheColumns() {
        ConversionReport r = new ConversionReport(List.of(new ConversionReport.Row("fc,1", "DenseLayer (kept)", "[2, 5]",
                false, 10, 0, 1.0, 1.0, 0.0, 0.0, 0, 0, 0, 0, 0, 0, 320, 0.25, 12)));
        String[] lines = r.toCsv().split("\n");
        assertTrue(lines[1].startsWith("\"fc,1\","), lines[1]);
        assertEquals(fields(lines[0]).length, fields(lines[1]).length, lines[1]);
        assertEquals("fc,1", fields(lines[1])[0]);
        assertEquals("320", fields(lines[1])[16], "denseWeightBits in its column");
    }

    /** The table says which layers were kept dense and how much of the weights they hold: 10 of 34 here. */
    @Test
    void theTableNamesTheLayersKeptDense() {
        String[] lines = REPORT.toTable().split("\n");
        assertEquals("kept dense: 1 of 2 layers, 10 of 34 weights (29.4%): DenseLayer x 1 of a kind with no SD form "
                + "(DenseLayer, OutputLayer, ConvolutionLayer and SeparableConvolution2D convert, the last with its depthwise "
                + "half kept dense unless the plan sets convertDepthwise (smartdeal convert --convert-depthwise), which also "
                + "converts DepthwiseConvolution2D)", lines[4]);
        ConversionReport none = new ConversionReport(List.of(REPORT.layers().get(0)));
        assertEquals("", none.keptLine());
        // grouped by why, each group in network order: the plan's skips, the frozen layers, the kinds with no SD form
        ConversionReport.Row k = REPORT.layers().get(1);
        java.util.function.BiFunction<String, String, ConversionReport.Row> as = (name, type) -> new ConversionReport.Row(
                name, type, k.shape(), false, k.weights(), 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, k.denseBits(), 0, k.weightSq());
        ConversionReport mixed = new ConversionReport(List.of(as.apply("bn", "BatchNormalization (kept)"),
                as.apply("fc2", "OutputLayer (skipped)"), as.apply("fc0", "DenseLayer (frozen)"),
                as.apply("fc1", "DenseLayer (skipped)"), as.apply("bn2", "BatchNormalization (kept)")));
        String line = mixed.keptLine();
        assertTrue(line.startsWith("kept dense: 5 of 5 layers, 50 of 50 weights (100.0%): OutputLayer x 1, DenseLayer x 1 "
                + "skipped by the plan; DenseLayer x 1 frozen (kept dense and frozen: convert the network before freezing "
                + "it); BatchNormalization x 2 of a kind with no SD form ("), line);
        assertEquals("OutputLa~ (skipped)", ConversionReport.clipType("OutputLayer (skipped)", 19));
        // a row without a mark (Row is public) is named too, without a reason
        assertEquals("kept dense: 1 of 1 layers, 10 of 10 weights (100.0%): MyLayer x 1 not converted"
                + System.lineSeparator(), new ConversionReport(List.of(as.apply("mine", "MyLayer"))).keptLine());
    }

    /** A type longer than the table's 20 characters is clipped before its " (kept)" mark, which stays. */
    @Test
    void clippedTypesKeepTheirKeptMark() {
        assertEquals("DepthwiseCon~ (kept)", ConversionReport.clipType("DepthwiseConvolution2D (kept)", 20));
        assertEquals("OutputLayer (kept)", ConversionReport.clipType("OutputLayer (kept)", 20));
        assertEquals("SdDepthwiseConvolut~", ConversionReport.clipType("SdDepthwiseConvolutionLayer", 20));
        assertEquals("DenseLayer", ConversionReport.clipType("DenseLayer", 20));
    }

    /** The fields of one CSV line; a field in double quotes (the shape) may hold commas. */
    private static String[] fields(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out.toArray(new String[0]);
    }
}
