package org.smartdeal.zoo.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * {@link ConversionReport} and {@link LayerPlan} at the bounds their Javadoc states (found by mutation testing: each
 * case below was a change of the code that no test noticed). Figures by hand.
 */
class ConversionReportEdgesTest {

    /** A row with the given name, C density and bits; 10 weights, the rest 0. */
    private static ConversionReport.Row row(String name, boolean converted, double cDensity, long cBits, double seconds) {
        return new ConversionReport.Row(name, converted ? "SdDenseLayer" : "DenseLayer (kept)", "[2, 5]", converted, 10,
                converted ? 1 : 0, cDensity, 1, 0, 0, 0, 0, 0, cBits, 0, 0, converted ? 0 : 320, seconds, 1);
    }

    /** Row.paperCR: 32 bits per weight over the stored bits; 0 for a row that stores nothing. */
    @Test
    void aRowsPaperCrIsThirtyTwoBitsAWeightOverItsStoredBits() {
        // 10 weights in 40 bits of C: 32 * 10 / 40 = 8
        assertEquals(8.0, row("fc", true, 0.5, 40, 0).paperCR());
        assertEquals(0.0, row("fc", true, 0.5, 0, 0).paperCR(), "nothing stored");
        // a layer kept dense stores 32 bits a weight: CR 1
        assertEquals(1.0, row("fc", false, 1, 0, 0).paperCR());
    }

    /** zeroCoefficientLayers: converted layers of C density 0 only, in network order; a kept layer is never one. */
    @Test
    void theLayersWhoseCKeptNothingAreListedInOrder() {
        ConversionReport r = new ConversionReport(List.of(row("a", true, 0, 8, 0), row("b", true, 0.1, 8, 0),
                row("c", false, 0, 0, 0), row("d", true, 0, 8, 0)));
        assertEquals(List.of("a", "d"), r.zeroCoefficientLayers());
        assertEquals(List.of(), new ConversionReport(List.of(row("b", true, 0.1, 8, 0))).zeroCoefficientLayers());
    }

    /**
     * A report of no converted layer (a plan that skips every layer) has no C: its TOTAL C density is "-" in the table,
     * null in the JSON and empty in the CSV, not 0.000 under rows of 1.000 (found by session 43's CLI hunt); a report
     * with a converted layer keeps its number (0.5 by hand: one converted row of density 0.5 and equal weights).
     */
    @Test
    void aReportWithoutAConvertedLayerHasNoTotalCDensity() throws Exception {
        ConversionReport none = new ConversionReport(List.of(row("a", false, 1, 0, 0), row("b", false, 1, 0, 0)));
        String total = none.toTable().lines().filter(l -> l.startsWith("TOTAL")).findFirst().orElseThrow();
        assertEquals("-", total.substring(22 + 1 + 20 + 1 + 18 + 1 + 9 + 1, 22 + 1 + 20 + 1 + 18 + 1 + 9 + 1 + 7).trim(),
                total);
        assertEquals(none.toTable().lines().filter(l -> l.startsWith("a ")).findFirst().orElseThrow().length(),
                total.length(), "the columns after it stay where they were");
        assertTrue(new ObjectMapper().readTree(none.toJson()).get("totals").get("cDensity").isNull(), none.toJson());
        String csvTotal = none.toCsv().lines().filter(l -> l.startsWith("TOTAL")).findFirst().orElseThrow();
        assertEquals("", csvTotal.split(",", -1)[6], csvTotal);
        ConversionReport one = new ConversionReport(List.of(row("a", true, 0.5, 8, 0), row("b", false, 1, 0, 0)));
        String oneTotal = one.toTable().lines().filter(l -> l.startsWith("TOTAL")).findFirst().orElseThrow();
        assertTrue(oneTotal.contains("  0.500 "), oneTotal);
        assertEquals(0.5, new ObjectMapper().readTree(one.toJson()).get("totals").get("cDensity").asDouble());
    }

    /**
     * The table: names clipped to 22 characters (the 22nd a "~" when longer), stored KB as bits / 8192 and the summed
     * seconds on the TOTAL line; with a file's breakdown, the "bits:" line instead of "weight bits:".
     */
    @Test
    void theTableClipsLongNamesAndTotalsTheSeconds() {
        String n22 = "n".repeat(22);
        String n23 = "m".repeat(23);
        ConversionReport r = new ConversionReport(List.of(row(n22, true, 0.5, 8192 * 3, 0.25),
                row(n23, true, 0.5, 8192, 0.5)));
        String[] lines = r.toTable().split("\n");
        assertTrue(lines[1].startsWith(n22 + " SdDenseLayer"), lines[1]);
        assertTrue(lines[2].startsWith("m".repeat(21) + "~ SdDenseLayer"), lines[2]);
        // stored KB: 3 * 8192 bits = 3.00 KB; 4 * 8192 bits in all = 4.00; seconds 0.25 + 0.5
        assertTrue(lines[1].contains(" 3.00 "), lines[1]);
        assertTrue(lines[3].startsWith("TOTAL"), lines[3]);
        assertTrue(lines[3].contains(" 4.00 ") && lines[3].endsWith(" 0.750"), lines[3]);
        assertEquals("weight bits: index 0, C 32768, tables 0, B 0, dense 0", lines[4]);
        assertEquals(0.75, r.toJsonNode().get("totals").get("seconds").asDouble());
        String withFile = r.toTable(new org.smartdeal.codec.StorageBreakdown(1, 2, 3, 4, 5, 6));
        assertTrue(withFile.startsWith(r.toTable().substring(0, r.toTable().indexOf("weight bits:"))), withFile);
        assertTrue(withFile.contains("\nbits: ") && !withFile.contains("weight bits:"), withFile);
    }

    /** toJson is the pretty-printed toJsonNode. */
    @Test
    void theJsonTextIsTheJsonNode() throws Exception {
        ConversionReport r = new ConversionReport(List.of(row("fc", true, 0.5, 40, 0.125)));
        JsonNode read = new ObjectMapper().readTree(r.toJson());
        assertEquals(r.toJsonNode().toString(), read.toString());
        assertEquals(8.0, read.get("layers").get(0).get("paperCR").asDouble());
        assertTrue(r.toJson().contains("\n"), "pretty-printed");
    }

    /** LayerPlan's own constructor (the plan's JSON reader checks most fields first): every range at its ends. */
    @Test
    void layerSettingsAcceptTheirRangeEndsAndRefuseOneBeyond() {
        LayerPlan d = LayerPlan.DEFAULTS;
        // the ends are accepted
        new LayerPlan("fc", 0, 1, 1, 0x1p-10, 1, 0, 0, 0, false, 0);
        new LayerPlan("fc", LayerPlan.MAX_THETA, LayerPlan.MAX_SLICE_ROWS, LayerPlan.MAX_BASIS_WIDTH, 0x1p10, 1000, 1,
                Math.nextDown(1.0), Double.MAX_VALUE, false, 1);
        assertEquals("plan.layers[fc].theta must be in [0, 1], got 1.0000000000000002",
                refused(() -> new LayerPlan("fc", Math.nextUp(1.0), 192, 3, 32, 30, 0, 0, 0, false, 0)));
        assertEquals("plan.layers[fc].theta must be in [0, 1], got -4.9E-324",
                refused(() -> new LayerPlan("fc", -Double.MIN_VALUE, 192, 3, 32, 30, 0, 0, 0, false, 0)));
        assertEquals("plan.defaults.theta must be in [0, 1], got 1.0E15",
                refused(() -> new LayerPlan("defaults", 1e15, 192, 3, 32, 30, 0, 0, 0, false, 0)));
        assertEquals("plan.layers[fc].basisWidth must be in [1, 16], got 17",
                refused(() -> new LayerPlan("fc", 0.01, 192, 17, 32, 30, 0, 0, 0, false, 0)));
        assertEquals("plan.layers[fc].maxCoeff must be in [0.0009765625, 1024], got 2048",
                refused(() -> new LayerPlan("fc", 0.01, 192, 3, 2048, 30, 0, 0, 0, false, 0)));
        assertEquals("plan.layers[fc].maxCoeff must be a power of two, got 3",
                refused(() -> new LayerPlan("fc", 0.01, 192, 3, 3, 30, 0, 0, 0, false, 0)));
        assertEquals("plan.layers[fc].maxIter must be in [1, 1000], got 0",
                refused(() -> new LayerPlan("fc", 0.01, 192, 3, 32, 0, 0, 0, 0, false, 0)));
        assertEquals("plan.layers[fc].maxIter must be in [1, 1000], got 1001",
                refused(() -> new LayerPlan("fc", 0.01, 192, 3, 32, 1001, 0, 0, 0, false, 0)));
        assertEquals("plan.layers[fc].tol must be in [0, 1], got 1.5",
                refused(() -> new LayerPlan("fc", 0.01, 192, 3, 32, 30, 1.5, 0, 0, false, 0)));
        assertEquals("plan.layers[fc].structuredRatio must be in [0, 1), got 1",
                refused(() -> new LayerPlan("fc", 0.01, 192, 3, 32, 30, 0, 1, 0, false, 0)));
        assertEquals("plan.layers[fc].bnGammaThreshold must be finite and >= 0, got Infinity",
                refused(() -> new LayerPlan("fc", 0.01, 192, 3, 32, 30, 0, 0, Double.POSITIVE_INFINITY, false, 0)));
        // the copies are validated like any plan
        assertEquals("plan.defaults.theta must be in [0, 1], got 2", refused(() -> d.withTheta(2)));
        assertEquals("plan.defaults.density must be in [0, 1], got 2", refused(() -> d.withSparsity(0.01, 2)));
    }

    private static String refused(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }
}
