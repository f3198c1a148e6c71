package org.smartdeal.hw.spec;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spec records at their edges (found by mutation testing, docs/RESULTS.md 8): every range check accepted at its
 * bound and refused one step beyond with the message naming the field, every copy method changing only its field,
 * every energy-table key reaching its own field, and the derived sizes of HWMODEL.md 1.1 by hand.
 */
class SpecEdgesTest {
    /** An energy table whose thirteen fields are 1..13, so a key that reads the wrong field gives the wrong number. */
    private static final EnergyTable DISTINCT = new EnergyTable(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);

    /** The message of the IllegalArgumentException that {@code x} throws. */
    private static String message(org.junit.jupiter.api.function.Executable x) {
        return assertThrows(IllegalArgumentException.class, x).getMessage();
    }

    @Test
    void everyEnergyTableKeyReadsItsOwnField() {
        // the record's component order (EnergyTable javadoc) numbered 1..13
        assertEquals(1, DISTINCT.pj("dram"));
        assertEquals(2, DISTINCT.pj("mac"));
        assertEquals(3, DISTINCT.pj("mult"));
        assertEquals(4, DISTINCT.pj("add"));
        assertEquals(12, DISTINCT.pj("add24"), "HWMODEL.md 1.4: a k-bit add is add x k/8, 24/8 = 3 x 4");
        assertEquals(7, DISTINCT.pj("rf"));
        assertEquals(8, DISTINCT.pj("term"));
        assertEquals(9, DISTINCT.pj("reShiftAdd"));
        assertEquals(10, DISTINCT.pj("select"));
        assertEquals(11, DISTINCT.pj("huffman"));
        assertEquals(12, DISTINCT.pj("crossbar"));
        assertEquals("EnergyTable: unknown unit key 'leak' (the keys: dram, mac, mult, add, add24, rf, term, reShiftAdd, "
            + "select, huffman, crossbar, sram<bank bytes>)", message(() -> DISTINCT.pj("leak")));
    }

    @Test
    void sramEnergyInterpolatesOnLog2AndClampsAtBothEnds() {
        // HWMODEL.md 1.4: e(b) = clamp(e2K + (e16K - e2K) log2(b / 2 KB) / 3, e2K, e16K), here e2K = 5, e16K = 6
        assertEquals(5, DISTINCT.pj("sram2048"), 1e-12);
        assertEquals(5 + 1.0 / 3, DISTINCT.pj("sram4096"), 1e-12, "log2(2) / 3");
        assertEquals(5 + 2.0 / 3, DISTINCT.pj("sram8192"), 1e-12, "log2(4) / 3");
        assertEquals(6, DISTINCT.pj("sram16384"), 1e-12);
        assertEquals(5, DISTINCT.pj("sram512"), 1e-12, "below 2 KB: clamped to e2K, not 5 - 2/3");
        assertEquals(6, DISTINCT.pj("sram131072"), 1e-12, "above 16 KB: clamped to e16K, not 5 + 6/3");
        // the range must be ordered; equal ends are a flat table
        EnergyTable flat = new EnergyTable(1, 2, 3, 4, 5, 5, 7, 8, 9, 10, 11, 12, 13);
        assertEquals(5, flat.pj("sram65536"), 1e-12);
        assertEquals("EnergyTable.sramPjPer8BitAt16KB must be >= sramPjPer8BitAt2KB, got 4 < 5",
            message(() -> new EnergyTable(1, 2, 3, 4, 5, 4, 7, 8, 9, 10, 11, 12, 13)));
    }

    /**
     * An sram key is "sram" and a bank size in bytes (EnergyTable.pj's Javadoc; docs/EXTENDING.md 2: "a key the table
     * does not know is refused naming the model, the layer, the action and the keys"). Found by a bug hunt: a key
     * with no number after "sram" failed with Java's NumberFormatException text ('For input string: "x"', 'empty
     * String'), naming neither the key nor the keys, and a negative or NaN size was priced at NaN pJ (log2 of a
     * negative size), so a plug-in model's energies were silently NaN. Each is now refused like an unknown key.
     */
    @Test
    void sramKeysWithoutAPositiveBankSizeAreRefused() {
        String keys = " (the keys: dram, mac, mult, add, add24, rf, term, reShiftAdd, select, huffman, crossbar, sram<bank "
            + "bytes>)";
        for (String bad : List.of("sram", "sramx", "sram-5", "sramNaN", "sram0", "sramInfinity"))
            assertEquals("EnergyTable: unit key '" + bad + "' must be sram and a bank size in bytes > 0, e.g. sram2048, got '"
                + bad.substring(4) + "'" + keys, message(() -> DISTINCT.pj(bad)), bad);
        assertEquals(5, DISTINCT.pj("sram1e3"), 1e-12, "a size in any number form, here 1000 bytes, clamped to e2K");
    }

    @Test
    void energyTableRangeIsZeroToAMillionPicojoules() {
        // EnergyTable's compact constructor: every entry in [0, 1e6]
        assertEquals(0, new EnergyTable(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).pj("dram"));
        assertEquals(1e6, new EnergyTable(1e6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).pj("dram"));
        assertEquals("EnergyTable.dramPjPer8Bit must be in [0, 1000000], got 1000001",
            message(() -> new EnergyTable(1e6 + 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertEquals("EnergyTable.staticMw must be in [0, 1000000], got NaN",
            message(() -> new EnergyTable(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Double.NaN)));
    }

    /**
     * The DRAM bandwidth has a floor, Knobs.MIN_DRAM_BW = 10^-6 bytes per cycle (1 KB/s at the 1 GHz clock), found by a
     * bug hunt: any value above 0 was taken, and at 1e-320 (a subnormal double) a layer's DRAM bytes / bandwidth
     * overflowed to Infinity cycles, written as null in summary.json (which means "not priced") with SU/DN "-" and no
     * reason, and with a leaking energy table (staticMw > 0) `smartdeal energy --dram-bw 1e-320` failed as an internal
     * error, "Action(leakage cycles).count must be finite". At the floor, 10^15 DRAM bytes take 10^21 cycles: finite.
     */
    @Test
    void dramBandwidthHasAFloorThatKeepsCyclesFinite() {
        Knobs k = Knobs.defaults();
        assertEquals(Knobs.MIN_DRAM_BW, k.withBw(1e-6).dramBwBytesPerCycle());
        assertEquals("Knobs.dramBwBytesPerCycle must be at least 0.000001 bytes per cycle (Infinity = unlimited), got "
            + "1.0E-320", message(() -> k.withBw(1e-320)));
        assertEquals("Knobs.dramBwBytesPerCycle must be at least 0.000001 bytes per cycle (Infinity = unlimited), got "
            + "9.9E-7", message(() -> k.withBw(9.9e-7)));
        assertTrue(Double.isFinite(1e15 / Knobs.MIN_DRAM_BW * 1e6), "cycles x staticMw at the bounds");
    }

    @Test
    void knobsRangesAndCopies() {
        Knobs k = new Knobs(1, 25.6, Knobs.BaselineWeights.SAME, false, false, 0);
        // Knobs' compact constructor: batch in [1, 4096], bandwidth > 0 (Infinity allowed), rowZeroDefault in [0, 0.99]
        assertEquals(4096, k.withBatch(4096).batch());
        assertEquals("Knobs.batch must be in [1, 4096], got 4097", message(() -> k.withBatch(4097)));
        assertEquals(Double.POSITIVE_INFINITY, k.withBw(Double.POSITIVE_INFINITY).dramBwBytesPerCycle());
        assertEquals("Knobs.dramBwBytesPerCycle must be at least 0.000001 bytes per cycle (Infinity = unlimited), got 0",
            message(() -> k.withBw(0)));
        assertEquals("Knobs.dramBwBytesPerCycle must be at least 0.000001 bytes per cycle (Infinity = unlimited), got NaN",
            message(() -> k.withBw(Double.NaN)));
        assertEquals("Knobs.baselineWeights must be SAME or DENSE, got null",
            message(() -> k.withBaselineWeights(null)));
        assertEquals(0.99, new Knobs(1, 25.6, Knobs.BaselineWeights.SAME, false, false, 0.99).rowZeroDefault());
        assertEquals("Knobs.rowZeroDefault must be in [0, 0.99], got 1",
            message(() -> new Knobs(1, 25.6, Knobs.BaselineWeights.SAME, false, false, 1)));
        // each copy changes its own field and keeps the other five
        assertEquals(new Knobs(7, 25.6, Knobs.BaselineWeights.SAME, false, false, 0), k.withBatch(7));
        assertEquals(new Knobs(1, 12.8, Knobs.BaselineWeights.SAME, false, false, 0), k.withBw(12.8));
        assertEquals(new Knobs(1, 25.6, Knobs.BaselineWeights.DENSE, false, false, 0), k.withBaselineWeights(Knobs.BaselineWeights.DENSE));
        assertEquals(new Knobs(1, 25.6, Knobs.BaselineWeights.SAME, true, false, 0), k.withKappa(true));
        Knobs other = new Knobs(3, 64, Knobs.BaselineWeights.DENSE, true, true, 0.2);
        assertEquals(new Knobs(3, 64, Knobs.BaselineWeights.DENSE, false, true, 0.2), other.withKappa(false));
        assertEquals(new Knobs(5, 64, Knobs.BaselineWeights.DENSE, true, true, 0.2), other.withBatch(5));
    }

    @Test
    void archSpecCopiesChangeOnlyTheirFields() {
        ArchSpec a = ArchSpec.paper();
        Knobs k = a.knobs().withBatch(16);
        ArchSpec withK = a.withKnobs(k);
        assertEquals(k, withK.knobs());
        assertEquals(Specs.toMap(a).entrySet().stream().filter(e -> !e.getKey().equals("knobs")).toList(),
            Specs.toMap(withK).entrySet().stream().filter(e -> !e.getKey().equals("knobs")).toList());
        ArchSpec full = a.withTileCapFraction(1.0);
        assertEquals(1.0, full.tileCapFraction());
        assertEquals(a, full.withTileCapFraction(0.5), "arch-v1.json: tileCapFraction 0.5");
        // withBuffers caps each bank at its new buffer: Table IX banks are 16 KB (input), 2 KB (weight), 2 KB (output)
        ArchSpec small = a.withBuffers(8192, 1024, 65536);
        assertEquals(8192, small.inputBufBytes());
        assertEquals(8192, small.inputBankBytes(), "min(16 KB bank, 8 KB buffer)");
        assertEquals(1024, small.weightBufBytes());
        assertEquals(1024, small.weightBankBytes(), "min(2 KB bank, 1 KB buffer)");
        assertEquals(65536, small.outputBufBytes());
        assertEquals(2048, small.outputBankBytes(), "min(2 KB bank, 64 KB buffer)");
    }

    @Test
    void archSpecRangesNameTheField() {
        ArchSpec a = ArchSpec.paper();
        // ArchSpec's compact constructor: buffers in [64, 1e10], banks in [64, buffer], tileCapFraction in [0.01, 1]
        assertEquals(64, a.withBuffers(64, 64, 64).inputBufBytes());
        assertEquals("ArchSpec.inputBufBytes must be in [64, 10000000000], got 63",
            message(() -> a.withBuffers(63, 64, 64)));
        assertEquals("ArchSpec.weightBufBytes must be in [64, 10000000000], got 63",
            message(() -> a.withBuffers(64, 63, 64)));
        assertEquals("ArchSpec.outputBufBytes must be in [64, 10000000000], got 63",
            message(() -> a.withBuffers(64, 64, 63)));
        assertEquals(0.01, a.withTileCapFraction(0.01).tileCapFraction());
        assertEquals("ArchSpec.tileCapFraction must be in [0.01, 1], got 1.01",
            message(() -> a.withTileCapFraction(1.01)));
        assertEquals("ArchSpec.knobs must be set", message(() -> a.withKnobs(null)));
    }

    /**
     * Every ArchSpec field one step outside its range, through the JSON binding a user's file takes (ArchSpec's
     * compact constructor: buffers [64, 1e10], banks [64, their buffer], tileCapFraction [0.01, 1], psumBytes [1, 8],
     * fourteen counts [1, 65536], scnnPeGrid [1, 32], index widths [0, 32], scnnActBytesPerNz [1, 8]); each bound itself is
     * accepted.
     */
    @Test
    void everyArchSpecFieldIsRangeChecked() {
        Object[][] cases = {{"inputBufBytes", 63.0, 1e10}, {"inputBankBytes", 63.0, 524288.0}, {"weightBufBytes", 63.0, 1e10},
            {"weightBankBytes", 63.0, 262144.0}, {"outputBufBytes", 63.0, 1e10}, {"outputBankBytes", 63.0, 4096.0},
            {"tileCapFraction", 0.0, 1.0}, {"psumBytes", 0.5, 8.0}, {"cxIdxBitsPerNz", -1.0, 32.0},
            {"scnnIdxBitsPerNz", -1.0, 32.0}, {"scnnActBytesPerNz", 0.5, 8.0}};
        for (Object[] c : cases) {
            Map<String, Object> v = Json.parseObject(Json.write(Specs.toMap(ArchSpec.paper())));
            v.put((String) c[0], c[2]);
            assertEquals(c[2], Specs.toMap(Specs.bind(ArchSpec.class, v, "f")).get(c[0]), "upper bound of " + c[0]);
            v.put((String) c[0], c[1]);
            String m = message(() -> Specs.bind(ArchSpec.class, v, "f"));
            assertTrue(m.startsWith("f: ArchSpec." + c[0] + " must be in [")
                && m.endsWith("got " + Specs.plain(((Number) c[1]).doubleValue())), m);
        }
        for (String f : List.of("sdDimM", "sdDimC", "sdDimF", "sdRePerLine", "dnTn", "dnTi", "cxPes", "cxMacsPerPe", "scnnF",
            "scnnI", "scnnAccumulatorsPerPe", "praFilters", "praWindows", "praBrick")) {
            Map<String, Object> v = Json.parseObject(Json.write(Specs.toMap(ArchSpec.paper())));
            v.put(f, 65536.0);
            assertEquals(65536, Specs.toMap(Specs.bind(ArchSpec.class, v, "f")).get(f), "upper bound of " + f);
            v.put(f, 0.0);
            assertEquals("f: ArchSpec." + f + " must be in [1, 65536], got 0", message(() -> Specs.bind(ArchSpec.class, v, "f")));
            v.put(f, 65537.0);
            assertEquals("f: ArchSpec." + f + " must be in [1, 65536], got 65537", message(() -> Specs.bind(ArchSpec.class, v, "f")));
        }
        Map<String, Object> v = Json.parseObject(Json.write(Specs.toMap(ArchSpec.paper())));
        v.put("scnnPeGrid", 32.0);
        assertEquals(32, Specs.toMap(Specs.bind(ArchSpec.class, v, "f")).get("scnnPeGrid"));
        v.put("scnnPeGrid", 33.0);
        assertEquals("f: ArchSpec.scnnPeGrid must be in [1, 32], got 33", message(() -> Specs.bind(ArchSpec.class, v, "f")));
        // a bank's bound is its buffer: a buffer made smaller than the shipped bank names the buffer field
        Map<String, Object> b = Json.parseObject(Json.write(Specs.toMap(ArchSpec.paper())));
        b.put("inputBufBytes", 64.0);
        assertEquals("f: ArchSpec.inputBankBytes must be in [64, inputBufBytes = 64], got 16384",
            message(() -> Specs.bind(ArchSpec.class, b, "f")));
    }

    @Test
    void layerSpecSizesByHand() {
        // a grouped conv: N 2, M 8, C 6, G 2 (C/G 3), 3x5 kernel, 10x12 input, stride 2, pad 1 rows / 2 columns, dil 1:
        // E = (10 + 2 - 3) / 2 + 1 = 5, F = (12 + 4 - 5) / 2 + 1 = 6 (HWMODEL.md 1.1 and LayerSpec's arithmetic)
        LayerSpec l = new LayerSpec("g", LayerType.CONV, 2, 8, 6, 2, 3, 5, 10, 12, 5, 6, 2, 1, 1, true, 2);
        assertEquals(3, l.cg());
        assertEquals(2.0 * 8 * 5 * 6 * 3 * 5 * 3, l.macs(), "N M E F R S C/G");
        assertEquals(8.0 * 3 * 3 * 5, l.wSize(), "M C/G R S");
        assertEquals(2.0 * 6 * 10 * 12, l.iSize(), "N C H W");
        assertEquals(2.0 * 8 * 5 * 6, l.oSize(), "N M E F");
        assertEquals(24, l.kernels(), "M C/G");
        LayerSpec b = l.withBatch(5);
        assertEquals(5, b.batch());
        assertEquals(new LayerSpec("g", LayerType.CONV, 5, 8, 6, 2, 3, 5, 10, 12, 5, 6, 2, 1, 1, true, 2), b);
        assertEquals(Map.ofEntries(Map.entry("id", "g"), Map.entry("type", "CONV"), Map.entry("N", 2), Map.entry("M", 8),
            Map.entry("C", 6), Map.entry("G", 2), Map.entry("R", 3), Map.entry("S", 5), Map.entry("H", 10), Map.entry("W", 12),
            Map.entry("E", 5), Map.entry("F", 6), Map.entry("U", 2), Map.entry("pad", 1), Map.entry("padW", 2),
            Map.entry("dil", 1), Map.entry("inBenchmark", true)), l.toMap());
        assertEquals(List.of("id", "type", "N", "M", "C", "G", "R", "S", "H", "W", "E", "F", "U", "pad", "padW", "dil",
            "inBenchmark"), List.copyOf(l.toMap().keySet()), "the report's column order");
        // the factories: a dilated depthwise conv (G = C = M) and an FC
        LayerSpec dw = LayerSpec.conv("dw", LayerType.DWCONV, 4, 4, 3, 9, 7, 1, 2, 2);
        assertEquals(4, dw.groups());
        assertEquals(9, dw.e(), "(9 + 4 - (2 * 2 + 1)) / 1 + 1");
        assertEquals(7, dw.f(), "(7 + 4 - 5) / 1 + 1");
        LayerSpec fc = LayerSpec.fc("fc", LayerType.SE_FC, 10, 20, false);
        assertEquals(200, fc.wSize());
        assertEquals(false, fc.inBenchmark());
        assertEquals(0, fc.pad());
    }

    /**
     * WeightRep counts a kernel's non-zeros in a short: a LayerSpec of more than 32767 weights per kernel (R x S) is
     * refused naming the layer (found by a bug hunt: 1 x 40000 was taken, WeightRep.dense wrote (short) 40000 =
     * -25536 non-zeros per kernel, and the accelerators priced negative counts); 1 x 32767 is counted exactly.
     */
    @Test
    void layerSpecKernelsFitAKernelCount() {
        LayerSpec most = new LayerSpec("wide", LayerType.CONV, 1, 2, 1, 1, 1, 32767, 1, 32767, 1, 1, 1, 0, 1, true);
        assertEquals(2 * 32767, WeightRep.dense(most).nnzTotal());
        assertEquals("LayerSpec(wide) kernel 1x40000 has 40000 weights; at most 32767 (WeightRep counts a kernel's "
            + "non-zeros in a short)",
            message(() -> new LayerSpec("wide", LayerType.CONV, 1, 2, 1, 1, 1, 40000, 1, 40000, 1, 1, 1, 0, 1, true)));
    }

    @Test
    void layerSpecChecksNameLayerFieldAndValue() {
        String[] fields = {"batch", "m", "c", "groups", "r", "s", "h", "w", "e", "f", "stride", "dil"};
        for (int k = 0; k < fields.length; k++) {
            int[] v = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
            v[k] = 0;
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> new LayerSpec("z", LayerType.CONV,
                v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], 0, v[11], true, 0), fields[k]);
            assertEquals("LayerSpec(z)." + fields[k] + " must be >= 1, got 0", x.getMessage());
        }
        // all ones is a valid 1x1 layer: each field's bound is 1
        assertEquals(1, new LayerSpec("o", LayerType.CONV, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, true, 0).kernels());
        assertEquals("LayerSpec.id must be non-blank, got  ", message(() -> LayerSpec.fc(" ", LayerType.FC, 1, 1, true)));
        assertEquals("LayerSpec.id must be non-blank, got null", message(() -> LayerSpec.fc(null, LayerType.FC, 1, 1, true)));
        assertEquals("LayerSpec(t).type must be set", message(() -> LayerSpec.fc("t", null, 1, 1, true)));
        assertEquals("LayerSpec(p).pad must be >= 0, got -1", message(() -> new LayerSpec("p", LayerType.CONV, 1, 1, 1, 1, 1, 1, 3, 3, 1, 5, 1, -1, 1, true, 1)));
        assertEquals("LayerSpec(p).padW must be >= 0, got -1", message(() -> new LayerSpec("p", LayerType.CONV, 1, 1, 1, 1, 1, 1, 3, 3, 5, 1, 1, 1, 1, true, -1)));
        // r at most 15 (a kernel's rows are bits of the 16-bit row mask, HWMODEL.md 1.2): 15 taps accepted, 16 refused
        assertEquals(15, LayerSpec.conv("r", LayerType.CONV, 1, 1, 15, 15, 15, 1, 0, 1).r());
        assertEquals("LayerSpec(r).r must be in [1, 15], got 16", message(() -> LayerSpec.conv("r", LayerType.CONV, 1, 1, 16, 16, 16, 1, 0, 1)));
        assertEquals("LayerSpec(g).groups=4 must divide c=8 and m=6", message(() -> new LayerSpec("g", LayerType.CONV, 1, 6, 8, 4, 1, 1, 1, 1, 1, 1, 1, 0, 1, true)));
        assertEquals("LayerSpec(g).groups=4 must divide c=6 and m=8", message(() -> new LayerSpec("g", LayerType.CONV, 1, 8, 6, 4, 1, 1, 1, 1, 1, 1, 1, 0, 1, true)));
        // HWMODEL.md 1.1: DWCONV means G = C = M; FC and SE_FC have H = W = E = F = R = S = 1
        assertEquals("LayerSpec(d) DWCONV needs groups = c = m, got 2/4/4", message(() -> new LayerSpec("d", LayerType.DWCONV, 1, 4, 4, 2, 1, 1, 1, 1, 1, 1, 1, 0, 1, true)));
        assertEquals("LayerSpec(d) DWCONV needs groups = c = m, got 4/4/8", message(() -> new LayerSpec("d", LayerType.DWCONV, 1, 8, 4, 4, 1, 1, 1, 1, 1, 1, 1, 0, 1, true)));
        int[][] notOne = {{2, 1, 1, 1, 1, 1}, {1, 2, 1, 1, 1, 1}, {1, 1, 2, 1, 1, 1}, {1, 1, 1, 2, 1, 1}, {1, 1, 1, 1, 2, 1},
            {1, 1, 1, 1, 1, 2}}; // h w e f r s
        for (LayerType t : new LayerType[] {LayerType.FC, LayerType.SE_FC})
            for (int[] v : notOne)
                assertEquals("LayerSpec(q) " + t + " needs h=w=e=f=r=s=1, got h=" + v[0] + " w=" + v[1] + " e=" + v[2] + " f="
                        + v[3] + " r=" + v[4] + " s=" + v[5],
                        message(() -> new LayerSpec("q", t, 1, 1, 1, 1, v[4], v[5], v[0], v[1], v[2], v[3], 1, 0, 1, true)),
                        Arrays.toString(v));
        // the output size must be the conv arithmetic: 8x8 input, 3x3, pad 1 gives 8x8, so 8x7 is refused
        assertEquals("LayerSpec(a) output 8x7 must equal conv arithmetic 8x8" + BOTH_RULES.formatted(1, 1),
            message(() -> new LayerSpec("a", LayerType.CONV, 1, 1, 1, 1, 3, 3, 8, 8, 8, 7, 1, 1, 1, true)));
    }

    /** The tail of LayerSpec's output-size message, naming both rules, for pad and padW. */
    private static final String BOTH_RULES = " (pad %d, padW %d on each side) or, per axis, DL4J Same's odd split (out = "
        + "ceil(in / U), need = (out - 1) U + keff - in odd, pad = floor(need / 2) before, one more after)";

    /**
     * An axis padded one row (column) more after the input than before, DL4J's Same split of an odd need = (E - 1) U +
     * keff - H, is accepted with pad = floor(need / 2), the padding before, and nothing else is: 3x3 stride 2 on 28 gives
     * 14 with need = 13 x 2 + 3 - 28 = 1 (0 before, 1 after; symmetric padding 0 gives (28 - 3) / 2 + 1 = 13); 2x2
     * stride 1 on 64 gives 64 with need = 63 + 2 - 64 = 1 (U-Net). A 4x4 stride-1 kernel on 8 has need = 7 + 4 - 8 = 3:
     * pad 1 (1 before, 2 after) is DL4J's, pad 0 would be 0 before and 3 after and is refused; an even need (3x3 on
     * 8 -> 8, need 2) has no uneven split, so pad 0 is refused there too. An output other than Same mode's
     * ceil(H / U) is no Same split even where need is odd (3x3 stride 1, 8 -> 9: need 3, pad 1).
     */
    @Test
    void layerSpecAcceptsDl4jsOddSameSplitAndNothingMore() {
        LayerSpec s2 = new LayerSpec("s2", LayerType.CONV, 1, 4, 2, 1, 3, 3, 28, 28, 14, 14, 2, 0, 1, true, 0);
        assertEquals(List.of(28, 28, 0, 0), List.of(s2.h(), s2.w(), s2.pad(), s2.padW()));
        assertEquals(4 * 14 * 14 * 9 * 2, s2.macs(), 0);
        LayerSpec unet = new LayerSpec("up", LayerType.CONV, 1, 8, 8, 1, 2, 2, 64, 64, 64, 64, 1, 0, 1, true, 0);
        assertEquals(64 * 64 * 8, unet.iSize(), 0, "the padding after is not input");
        // only the rows split unevenly: 28 -> 14 rows (0 before, 1 after), 28 -> 28 columns of a 1-wide kernel
        assertEquals(14, new LayerSpec("rows", LayerType.CONV, 1, 1, 1, 1, 3, 1, 28, 28, 14, 14, 2, 0, 1, true, 0).e());
        assertEquals(1, new LayerSpec("k4", LayerType.CONV, 1, 1, 1, 1, 4, 4, 8, 8, 8, 8, 1, 1, 1, true).pad());
        // pad 0 on both axes (0 before, 3 after), or on the columns only (rows 1 and 2, columns 0 and 3): refused
        assertEquals("LayerSpec(k4) output 8x8 must equal conv arithmetic 5x5" + BOTH_RULES.formatted(0, 0),
            message(() -> new LayerSpec("k4", LayerType.CONV, 1, 1, 1, 1, 4, 4, 8, 8, 8, 8, 1, 0, 1, true)));
        assertEquals("LayerSpec(k4w) output 8x8 must equal conv arithmetic 7x5" + BOTH_RULES.formatted(1, 0),
            message(() -> new LayerSpec("k4w", LayerType.CONV, 1, 1, 1, 1, 4, 4, 8, 8, 8, 8, 1, 1, 1, true, 0)));
        assertEquals("LayerSpec(even) output 8x8 must equal conv arithmetic 6x6" + BOTH_RULES.formatted(0, 0),
            message(() -> new LayerSpec("even", LayerType.CONV, 1, 1, 1, 1, 3, 3, 8, 8, 8, 8, 1, 0, 1, true)));
        assertEquals("LayerSpec(big) output 9x8 must equal conv arithmetic 8x8" + BOTH_RULES.formatted(1, 1),
            message(() -> new LayerSpec("big", LayerType.CONV, 1, 1, 1, 1, 3, 3, 8, 8, 9, 8, 1, 1, 1, true)));
        // pad 1 on 28 -> 14 is the symmetric arithmetic ((28 + 2 - 3) / 2 + 1 = 14), windows one row earlier: accepted
        assertEquals(1, new LayerSpec("sym", LayerType.CONV, 1, 1, 1, 1, 3, 3, 28, 28, 14, 14, 2, 1, 1, true).pad());
        // one more before than DL4J's split (8 -> 8, 4 x 4: need 3, 1 before and 2 after, not 2 and 1): refused
        assertEquals("LayerSpec(k4p2) output 8x8 must equal conv arithmetic 9x9" + BOTH_RULES.formatted(2, 2),
            message(() -> new LayerSpec("k4p2", LayerType.CONV, 1, 1, 1, 1, 4, 4, 8, 8, 8, 8, 1, 2, 1, true)));
        // dilation 2: keff 5, need = 13 x 2 + 5 - 28 = 3, so 1 before and 2 after (the symmetric arithmetic gives 13)
        assertEquals(1, new LayerSpec("dil", LayerType.CONV, 1, 1, 1, 1, 3, 3, 28, 28, 14, 14, 2, 1, 2, true).pad());
    }

    @Test
    void actStatsRangesAtTheirBounds() {
        // ActStats' compact constructor: dA, dOut in [0, 1]; bitsRaw <= 8 dA; boothDig <= 4 dA; rowZero <= 0.999;
        // tSD in [1, 4]; tPRA in [1, 8]; praTerms <= 8 dA
        ActStats w = ActStats.worstCase();
        assertEquals(new ActStats(1, 8, 4, 0, 4, 8, 8, 1, null), w, "dense, 8 bits, 4 Booth digits (its javadoc)");
        assertEquals(0.999, new ActStats(0.5, 4, 2, 0.999, 1, 1, 3, 0, null).rowZero());
        // bitsRaw and boothDig bounds carry a 1e-12 slack for rounding: 8 x 0.5 and 4 x 0.5 plus 1e-12
        String[][] bad = {
            {"ActStats.bitsRaw must be in [0, 4.000000000001]", "got 4.1"},
            {"ActStats.boothDig must be in [0, 2.000000000001]", "got 2.1"},
            {"ActStats.rowZero must be in [0, 0.999]", "got 1"},
            {"ActStats.tSD must be in [1, 4]", "got 0.9"},
            {"ActStats.tPRA must be in [1, 8]", "got 8.1"},
            {"ActStats.praTerms must be in [0, 4.000000000001]", "got 4.1"},
            {"ActStats.praTerms must be in [0, 4.000000000001]", "got -0.1"},
            {"ActStats.dOut must be in [0, 1]", "got -0.1"}};
        List<org.junit.jupiter.api.function.Executable> x = List.of(
            () -> new ActStats(0.5, 4.1, 2, 0, 1, 1, 3, 0, null),
            () -> new ActStats(0.5, 4, 2.1, 0, 1, 1, 3, 0, null),
            () -> new ActStats(0.5, 4, 2, 1, 1, 1, 3, 0, null),
            () -> new ActStats(0.5, 4, 2, 0, 0.9, 1, 3, 0, null),
            () -> new ActStats(0.5, 4, 2, 0, 1, 8.1, 3, 0, null),
            () -> new ActStats(0.5, 4, 2, 0, 1, 1, 4.1, 0, null),
            () -> new ActStats(0.5, 4, 2, 0, 1, 1, -0.1, 0, null),
            () -> new ActStats(0.5, 4, 2, 0, 1, 1, 3, -0.1, null));
        for (int k = 0; k < bad.length; k++) {
            String m = message(x.get(k));
            assertTrue(m.startsWith(bad[k][0]) && m.endsWith(bad[k][1]), m);
        }
        // exactly at the bounds: 4 bits, 2 digits and 4 oneffsets at dA 0.5
        assertEquals(4, new ActStats(0.5, 4, 2, 0, 1, 1, 4, 0, null).bitsRaw());
        assertEquals(4.0, new ActStats(1, 8, 4, 0, 4, 8, 8, 1, null).tSD());
    }

    @Test
    void scnnTilesShapesAndValues() {
        // grid 2, two channels: meanNnz holds C G G = 8 values (ActStats.ScnnTiles javadoc)
        ActStats.ScnnTiles t = new ActStats.ScnnTiles(2, 4, new double[8], new double[] {1, 2});
        assertEquals(2, t.channels());
        assertEquals(1, new ActStats.ScnnTiles(1, 1, new double[1], new double[1]).channels(), "grid and I of 1 are allowed");
        assertEquals("ActStats.ScnnTiles: grid and inputsPerStep must be >= 1, got 0 and 4",
            message(() -> new ActStats.ScnnTiles(0, 4, new double[0], new double[0])));
        assertEquals("ActStats.ScnnTiles: grid and inputsPerStep must be >= 1, got 2 and 0",
            message(() -> new ActStats.ScnnTiles(2, 0, new double[4], new double[1])));
        assertEquals("ActStats.ScnnTiles: meanNnz must hold C*G*G values for the C = 2 channels of meanMaxSteps, got 7",
            message(() -> new ActStats.ScnnTiles(2, 4, new double[7], new double[2])));
        assertEquals("ActStats.ScnnTiles: meanNnz must hold C*G*G values for the C = ? channels of meanMaxSteps, got 4",
            message(() -> new ActStats.ScnnTiles(2, 4, new double[4], null)));
        assertEquals("ActStats.ScnnTiles: meanNnz must hold C*G*G values for the C = 1 channels of meanMaxSteps, got null",
            message(() -> new ActStats.ScnnTiles(2, 4, null, new double[1])));
        assertEquals("ActStats.ScnnTiles.meanNnz must be in [0, 1000000000000], got -1",
            message(() -> new ActStats.ScnnTiles(1, 4, new double[] {-1}, new double[1])));
        assertEquals("ActStats.ScnnTiles.meanMaxSteps must be in [0, 1000000000000], got -1",
            message(() -> new ActStats.ScnnTiles(1, 4, new double[1], new double[] {-1})));
    }

    @Test
    void actStatsDescribeIsFourSignificantDigits() {
        ActStats a = new ActStats(0.47843, 1.61649, 1.3, 0.271, 2.34567, 5.0, 1.23456, 0.5, null);
        assertEquals("activation density 0.4784, 1.616 non-zero bits and 1.300 Booth digits per activation, zero-row "
            + "fraction 0.2710, tSD 2.346 and tPRA 5.000 (SmartDeal cycles per weight broadcast, Bit-pragmatic cycles "
            + "per brick), 1.235 Bit-pragmatic oneffsets per activation, output density 0.5000", a.describe());
    }

    /**
     * The i.i.d. activation model at its corners, where the expectation can be done by hand: with every value
     * zero the maxima are 1 (the max(1, .) of HWMODEL.md 1.3); with lambda large the magnitudes are nearly uniform.
     */
    @Test
    void iidModelAtItsCorners() {
        ActStats zero = ActStats.iid(0, 10, 0, 0, 8, 16);
        assertEquals(new ActStats(0, 0, 0, 0, 1, 1, 0, 0, null), zero, "dA = 0: no bits, no digits, one cycle each");
        // dA = 1, lambda -> infinity: v uniform on 1..127, so the means are plain averages over 1..127 (a naive loop)
        double pop = 0, booth = 0;
        for (int v = 1; v < 128; v++) { pop += Integer.bitCount(v); booth += ActStats.boothDigits(v); }
        ActStats u = ActStats.iid(1, 1e12, 0, 1, 8, 16);
        assertEquals(pop / 127, u.bitsRaw(), 1e-9);
        assertEquals(booth / 127, u.boothDig(), 1e-9);
        // praTerms is the mean oneffsets; tPRA over one value (brick 1) is the mean of max(1, oneffsets)
        double terms = 0, e1 = 0;
        for (int v = 1; v < 128; v++) { terms += ActStats.oneffsets(v); e1 += Math.max(1, ActStats.oneffsets(v)); }
        assertEquals(terms / 127, u.praTerms(), 1e-9);
        assertEquals(e1 / 127, ActStats.iid(1, 1e12, 0, 1, 8, 1).tPRA(), 1e-9);
        double b1 = 0;
        for (int v = 1; v < 128; v++) b1 += Math.max(1, ActStats.boothDigits(v));
        assertEquals(b1 / 127, ActStats.iid(1, 1e12, 0, 1, 1, 16).tSD(), 1e-9);
        // rowZero raises the density of the values in non-zero rows: dA 0.3 with rowZero 0.4 gives d1 = 0.5, and
        // a single value (dimF 1) of density 0.5 has E max(1, digits) = 0.5 * 1 + 0.5 * b1 / 127
        assertEquals(0.5 + 0.5 * b1 / 127, ActStats.iid(0.3, 1e12, 0.4, 1, 1, 16).tSD(), 1e-9);
        assertEquals(0.4, ActStats.iid(0.3, 1e12, 0.4, 1, 1, 16).rowZero());
    }

    /**
     * The i.i.d. model's expected maxima over the widest rows an architecture may have (found by a bug hunt): ArchSpec
     * takes sdDimF and praBrick up to 65536, and from sdDimF 256 on the CDF's rounding (its top value summed to just
     * under 1) made tSD 4.000000000000114, which ActStats refused, so pricing any network or paper workload on such
     * an architecture failed with "ActStats.tSD must be in [1, 4]" (an internal error of `smartdeal energy
     * --arch-spec`). A maximum cannot exceed the largest value with non-zero probability: 4 Booth digits of an 8-bit
     * value (HWMODEL.md 1.3) and the largest oneffsets of a magnitude in 1..127 (naive loop below); over k values,
     * each of 4 digits with probability q > 0, E[max] tends to that largest value as k grows.
     */
    @Test
    void iidMaximaStayWithinTheLargestCountOverWideRows() {
        int maxTerms = 0;
        for (int v = 1; v < 128; v++) maxTerms = Math.max(maxTerms, ActStats.oneffsets(v));
        for (int k : new int[] {256, 1024, 65536}) {
            ActStats dense = ActStats.iid(1, 40, 0, 1, k, k);
            assertTrue(dense.tSD() <= 4 && dense.tPRA() <= maxTerms, k + " values: " + dense.describe());
            ActStats fit = ActStats.fitted(8 * 0.202, 4 * 0.34, 0, k, k);
            assertTrue(fit.tSD() <= 4 && fit.tPRA() <= maxTerms, fit.describe());
        }
        // the architecture at its bound prices a paper workload (arch-v1.json with sdDimF and praBrick 65536)
        Map<String, Object> v = Json.parseObject(Json.write(Specs.toMap(ArchSpec.paper())));
        v.put("sdDimF", 65536.0);
        v.put("praBrick", 65536.0);
        ArchSpec wide = Specs.bind(ArchSpec.class, v, "wide");
        assertEquals(4, PaperModels.workload("vgg11", Knobs.defaults(), wide).layers().get(1).act().tSD(), 1e-9);
    }

    /**
     * Bit-pragmatic's statistics of the i.i.d. model against a naive enumeration: a brick of two values, each zero with
     * probability 1 - dA and else v in 1..127 with P(v) ~ exp(-v / lambda); praTerms = dA E[oneffsets(v)] and tPRA =
     * E[max(1, oneffsets(a), oneffsets(b))] summed over every pair (zeros included) rather than through the CDF.
     */
    @Test
    void iidBitPragmaticStatisticsMatchPairEnumeration() {
        double dA = 0.6, lambda = 20;
        double[] p = new double[128]; // p[0] = P(zero), p[v] = P(value v)
        double z = 0;
        for (int v = 1; v < 128; v++) z += Math.exp(-v / lambda);
        p[0] = 1 - dA;
        for (int v = 1; v < 128; v++) p[v] = dA * Math.exp(-v / lambda) / z;
        double terms = 0, pairMax = 0;
        for (int a = 0; a < 128; a++) {
            terms += p[a] * ActStats.oneffsets(a);
            for (int b = 0; b < 128; b++)
                pairMax += p[a] * p[b] * Math.max(1, Math.max(ActStats.oneffsets(a), ActStats.oneffsets(b)));
        }
        ActStats s = ActStats.iid(dA, lambda, 0, 1, 8, 2);
        assertEquals(terms, s.praTerms(), 1e-12);
        assertEquals(pairMax, s.tPRA(), 1e-12);
        assertTrue(s.praTerms() < s.bitsRaw(), "runs of ones are recoded to fewer terms: " + s.describe());
    }

    /**
     * ActStats.fitted solves lambda from boothDig / bitsRaw by bisection on [0.05, 200], then dA = bitsRaw /
     * E[popcount | v != 0], so bitsRaw is always met and boothDig is met whenever the ratio is reachable: 0.95 and 0.9
     * are (the ratio falls from 1.21 at lambda 1 to 0.878 at lambda 200). MBV2's Fig. 3 ratio, 4 x 0.34 / (8 x 0.202)
     * = 0.842, is not: the fit stops at the bracket's end, lambda 200, whose ratio a naive sum gives here, and Booth
     * sparsity comes out 64.5% for the paper's 66.0% (docs/HWMODEL-RESULTS.md, table of section 1, "Fig. 3 statistics").
     */
    @Test
    void fittedMatchesReachableRatiosAndStopsAtTheBracketOtherwise() {
        for (double[] g : new double[][] {{2.0, 1.9}, {1.0, 0.9}}) {
            ActStats a = ActStats.fitted(g[0], g[1], 0, 8, 16);
            assertEquals(g[0], a.bitsRaw(), 1e-9 * g[0], "bitsRaw " + Arrays.toString(g));
            assertEquals(g[1], a.boothDig(), 1e-6 * g[1], "boothDig " + Arrays.toString(g));
        }
        double z = 0, pop = 0, booth = 0;
        for (int v = 1; v < 128; v++) {
            double p = Math.exp(-v / 200.0);
            z += p;
            pop += p * Integer.bitCount(v);
            booth += p * ActStats.boothDigits(v);
        }
        ActStats mbv2 = ActStats.fitted(8 * 0.202, 4 * 0.34, 0.271, 8, 16);
        assertEquals(booth / pop, mbv2.boothDig() / mbv2.bitsRaw(), 1e-6, "lambda at the bracket end, 200");
        assertEquals(0.645, 1 - mbv2.boothDig() / 4, 0.0005);
        assertEquals(8 * 0.202 / (pop / z), mbv2.dA(), 1e-6, "dA = bitsRaw / E[popcount | v != 0]");
    }

    @Test
    void boothDigitsOfEveryByteAgreeWithTheDefinition() {
        // HWMODEL.md 1.3: d_i = b_{2i-1} + b_{2i} - 2 b_{2i+1}, i = 0..3, b_{-1} = 0, over the 8-bit two's complement
        for (int q = -128; q < 128; q++) {
            int b = q & 0xFF, n = 0;
            for (int i = 0; i < 4; i++) {
                int lower = i == 0 ? 0 : (b >> (2 * i - 1)) & 1;
                int d = lower + ((b >> (2 * i)) & 1) - 2 * ((b >> (2 * i + 1)) & 1);
                if (d != 0) n++;
            }
            assertEquals(n, ActStats.boothDigits(q), "q = " + q);
        }
        assertEquals(1, ActStats.boothDigits(-128), "-128 = -2 * 4^3: one digit");
        assertEquals(2, ActStats.boothDigits(2), "2 = 1 * 4 - 2: two digits");
        assertEquals(1, ActStats.boothDigits(1));
    }

    @Test
    void weightRepChecksAndSizes() {
        LayerSpec l = LayerSpec.conv("k", LayerType.CONV, 2, 3, 3, 5, 5, 1, 1, 1);
        WeightRep d = WeightRep.dense(l);
        // dense 3x3: every kernel has 9 non-zeros and rows 0..2 set (mask 0b111), basis n = S = 3 (HWMODEL.md 1.2)
        assertEquals(6, d.nnzW().length);
        for (int k = 0; k < 6; k++) {
            assertEquals(9, d.nnzW()[k]);
            assertEquals(7, d.rowMask()[k]);
        }
        assertEquals(54, d.nnzTotal());
        assertEquals(3, d.n());
        assertEquals(WeightRep.Kind.DENSE8, d.kind());
        assertEquals(d, d.checkFor(l));
        LayerSpec other = LayerSpec.conv("o", LayerType.CONV, 4, 3, 3, 5, 5, 1, 1, 1);
        assertEquals("WeightRep for o has 6 kernels, layer needs M*C/G = 12",
            message(() -> d.checkFor(other)));
        // 5x5 kernel: n = 5; 1x1 and 1x7: n = 3 [A]; a 1x7 kernel is one row, so its dense mask is 1; its 7x1
        // transpose has seven rows of one weight, bits 0-6 (fix 28; it was 1)
        assertEquals(5, WeightRep.basisDim(LayerSpec.conv("f", LayerType.CONV, 1, 1, 5, 5, 5, 1, 2, 1)));
        assertEquals(3, WeightRep.basisDim(LayerSpec.conv("p", LayerType.CONV, 1, 1, 1, 5, 5, 1, 0, 1)));
        LayerSpec row = new LayerSpec("row", LayerType.CONV, 1, 1, 1, 1, 1, 7, 5, 9, 5, 3, 1, 0, 1, true, 0);
        assertEquals(3, WeightRep.basisDim(row));
        assertEquals(7, WeightRep.dense(row).nnzW()[0]);
        assertEquals(1, WeightRep.dense(row).rowMask()[0]);
        LayerSpec col = new LayerSpec("col", LayerType.CONV, 1, 1, 1, 1, 7, 1, 9, 5, 3, 5, 1, 0, 1, true, 0);
        assertEquals(3, WeightRep.basisDim(col));
        assertEquals(0b1111111, WeightRep.dense(col).rowMask()[0]);
        // asSparse8 keeps the zeros and drops the SD fields
        WeightRep sd = new WeightRep(WeightRep.Kind.SD, new short[] {1, 0}, new short[] {1, 0}, 3, 5, 6, 7, 8);
        assertEquals(new WeightRep(WeightRep.Kind.SPARSE8, sd.nnzW(), sd.rowMask(), 3, 0, 0, 0, 0), sd.asSparse8());
        assertEquals(1, sd.nnzTotal());
    }

    @Test
    void weightRepRangesNameTheField() {
        short[] one = {1};
        assertEquals("WeightRep.kind must be set", message(() -> new WeightRep(null, one, one, 3, 0, 0, 0, 0)));
        assertEquals("WeightRep.nnzW and rowMask must be non-null with equal lengths, got null / 1",
            message(() -> new WeightRep(WeightRep.Kind.SD, null, one, 3, 0, 0, 0, 0)));
        assertEquals("WeightRep.nnzW and rowMask must be non-null with equal lengths, got 1 / null",
            message(() -> new WeightRep(WeightRep.Kind.SD, one, null, 3, 0, 0, 0, 0)));
        assertEquals("WeightRep.nnzW and rowMask must be non-null with equal lengths, got 1 / 2",
            message(() -> new WeightRep(WeightRep.Kind.SD, one, new short[2], 3, 0, 0, 0, 0)));
        // n in [1, 64], the byte counts in [0, 1e12], numB in [0, 1e9] (WeightRep's compact constructor)
        assertEquals(64, new WeightRep(WeightRep.Kind.SD, one, one, 64, 1e12, 1e12, 1e12, 1_000_000_000).n());
        assertEquals("WeightRep.n must be in [1, 64], got 0",
            message(() -> new WeightRep(WeightRep.Kind.SD, one, one, 0, 0, 0, 0, 0)));
        assertEquals("WeightRep.n must be in [1, 64], got 65",
            message(() -> new WeightRep(WeightRep.Kind.SD, one, one, 65, 0, 0, 0, 0)));
        assertEquals("WeightRep.ceNnz must be in [0, 1000000000000], got -1",
            message(() -> new WeightRep(WeightRep.Kind.SD, one, one, 3, -1, 0, 0, 0)));
        assertEquals("WeightRep.ceBytes must be in [0, 1000000000000], got -1",
            message(() -> new WeightRep(WeightRep.Kind.SD, one, one, 3, 0, -1, 0, 0)));
        assertEquals("WeightRep.bBytes must be in [0, 1000000000000], got -1",
            message(() -> new WeightRep(WeightRep.Kind.SD, one, one, 3, 0, 0, -1, 0)));
        assertEquals("WeightRep.numB must be in [0, 1000000000], got -1",
            message(() -> new WeightRep(WeightRep.Kind.SD, one, one, 3, 0, 0, 0, -1)));
    }

    @Test
    void syntheticSdOfAnFcLayerByHand() {
        // FC 2 x 7, n = 3: vectors of 3 channels per output, ceil(7 / 3) = 3 vectors per row, 6 in all; with
        // vecDensity 1 every vector is on, so all 14 weights are non-zero. ceNnz = max(6, 0.5 * 6 * 3) = 9;
        // VECTOR index: 6 bits; ceBytes = (9 * 2 + 6) / 8 = 3; rows = ceil(7 / 3) = 3, sliceRows 2 -> 2 slices per
        // output: numB = 2 * 2 = 4, bBytes = 4 * 9 = 36 (WeightRep.syntheticSd javadoc, HWMODEL.md 1.2 fallback)
        LayerSpec fc = LayerSpec.fc("fc", LayerType.FC, 2, 7, false);
        WeightRep w = WeightRep.syntheticSd(fc, 1, 0.5, 2, WeightRep.IdxMode.VECTOR, 2, 1);
        assertEquals(14, w.nnzTotal());
        assertEquals(9, w.ceNnz());
        assertEquals(3, w.ceBytes(), 1e-12);
        assertEquals(4, w.numB());
        assertEquals(36, w.bBytes());
        // VECTOR_ELEM adds n bits per non-zero vector: (18 + 6 + 3 * 6) / 8 = 5.25
        assertEquals(5.25, WeightRep.syntheticSd(fc, 1, 0.5, 2, WeightRep.IdxMode.VECTOR_ELEM, 2, 1).ceBytes(), 1e-12);
        // vecDensity 0: nothing non-zero, ceNnz = max(0, 0) = 0, ceBytes = 6 index bits / 8
        WeightRep z = WeightRep.syntheticSd(fc, 0, 0, 2, WeightRep.IdxMode.VECTOR_ELEM, 3, 1);
        assertEquals(0, z.nnzTotal());
        assertEquals(0.75, z.ceBytes(), 1e-12);
        assertEquals(2, z.numB(), "rows 3 in one slice of 3");
        // a 3x3 conv, M 1, C 2, vecDensity 1: 6 row vectors of S = 3, masks 0b111, 9 non-zeros per kernel;
        // ceNnz = max(6, 0.25 * 6 * 3) = 6; rows = C R = 6, sliceRows 4 -> numB = 2, bBytes = 2 * 9 = 18
        LayerSpec c = LayerSpec.conv("c", LayerType.CONV, 1, 2, 3, 4, 4, 1, 1, 1);
        WeightRep r = WeightRep.syntheticSd(c, 1, 0.25, 8, WeightRep.IdxMode.VECTOR, 4, 7);
        assertArrayEquals(new short[] {9, 9}, r.nnzW());
        assertArrayEquals(new short[] {7, 7}, r.rowMask());
        assertEquals(6, r.ceNnz());
        assertEquals((6 * 8 + 6) / 8.0, r.ceBytes(), 1e-12);
        assertEquals(2, r.numB());
        assertEquals(18, r.bBytes());
        assertEquals(1.0, WeightRep.syntheticSd(c, 1, 1, 8, WeightRep.IdxMode.VECTOR, 4, 7).ceNnz() / 18,
            "ceDensity 1: every C_e entry, 6 vectors x 3");
        assertEquals("WeightRep.syntheticSd(c).ceDensity must be in [0, 0.5], got 0.6", message(() -> WeightRep.syntheticSd(c, 0.5, 0.6, 2, WeightRep.IdxMode.VECTOR, 4, 7)));
        assertEquals("WeightRep.syntheticSd(c).vecDensity must be in [0, 1], got 1.5", message(() -> WeightRep.syntheticSd(c, 1.5, 0.5, 2, WeightRep.IdxMode.VECTOR, 4, 7)));
        assertEquals("WeightRep.syntheticSd(c).huffBits must be in [1, 8], got 0.5", message(() -> WeightRep.syntheticSd(c, 1, 0.5, 0.5, WeightRep.IdxMode.VECTOR, 4, 7)));
    }

    /**
     * HWMODEL.md 1.2 defines a C_e vector as a kernel row of S weights (R = S > 1) or n channels of a 1x1 / FC kernel.
     * A 1 x 7 kernel had been treated as 1x1: with every vector on, each kernel counted 1 non-zero for its 7 weights.
     */
    @Test
    void syntheticSdRefusesKernelsWithOneSideOfOne() {
        LayerSpec row = new LayerSpec("row", LayerType.CONV, 1, 2, 3, 1, 1, 7, 5, 9, 5, 3, 1, 0, 1, true, 0);
        LayerSpec col = new LayerSpec("col", LayerType.CONV, 1, 2, 3, 1, 7, 1, 9, 5, 3, 5, 1, 0, 1, true, 0);
        assertEquals("WeightRep.syntheticSd(row): the kernel must be 1x1 or have R, S > 1 (a C_e vector is a kernel row of S"
            + " weights or n channels of a 1x1 / FC kernel, HWMODEL.md 1.2), got 1x7",
            message(() -> WeightRep.syntheticSd(row, 1, 0.5, 2, WeightRep.IdxMode.VECTOR, 192, 1)));
        assertTrue(message(() -> WeightRep.syntheticSd(col, 1, 0.5, 2, WeightRep.IdxMode.VECTOR, 192, 1)).endsWith("got 7x1"));
        // a 3 x 5 kernel has rows of 5 weights: with every vector on, 3 rows x 5 = 15 non-zeros a kernel, mask 0b111
        LayerSpec wide = new LayerSpec("wide", LayerType.CONV, 1, 1, 1, 1, 3, 5, 5, 5, 5, 5, 1, 1, 1, true, 2);
        WeightRep w = WeightRep.syntheticSd(wide, 1, 0.5, 2, WeightRep.IdxMode.VECTOR, 192, 1);
        assertEquals(15, w.nnzW()[0]);
        assertEquals(7, w.rowMask()[0]);
        assertEquals(5, w.n(), "n = S");
    }

    @Test
    void fromWeightsCountsNonZerosAndRows() {
        // 3x3 kernel [M=1][C=1][R=3][S=3]: rows 0 and 2 hold non-zeros (3 of them), row 1 none -> mask 0b101
        LayerSpec l = LayerSpec.conv("k", LayerType.CONV, 1, 1, 3, 3, 3, 1, 1, 1);
        WeightRep w = WeightRep.fromWeights(l, WeightRep.Kind.SPARSE8, new int[] {0, 5, 0, 0, 0, 0, -1, 0, 2}, 1, 2, 3, 4);
        assertEquals(3, w.nnzW()[0]);
        assertEquals(5, w.rowMask()[0]);
        assertEquals(new WeightRep(WeightRep.Kind.SPARSE8, w.nnzW(), w.rowMask(), 3, 1, 2, 3, 4), w);
        // 1x1 conv with two kernels: mask is 1 when the weight is non-zero
        LayerSpec p = LayerSpec.conv("p", LayerType.CONV, 2, 1, 1, 3, 3, 1, 0, 1);
        WeightRep q = WeightRep.fromWeights(p, WeightRep.Kind.DENSE8, new int[] {0, 4}, 0, 0, 0, 0);
        assertArrayEquals(new short[] {0, 1}, q.nnzW());
        assertArrayEquals(new short[] {0, 1}, q.rowMask());
        // fix 28: a 5x1 kernel's rows are one weight each: rows 0, 3 and 4 non-zero -> 0b11001; its 1x5 transpose is
        // one row -> bit 0
        LayerSpec tall = new LayerSpec("t", LayerType.CONV, 1, 1, 1, 1, 5, 1, 5, 1, 1, 1, 1, 0, 1, true, 0);
        WeightRep t = WeightRep.fromWeights(tall, WeightRep.Kind.DENSE8, new int[] {3, 0, 0, -2, 1}, 0, 0, 0, 0);
        assertEquals(3, t.nnzW()[0]);
        assertEquals(0b11001, t.rowMask()[0]);
        LayerSpec wide = new LayerSpec("w", LayerType.CONV, 1, 1, 1, 1, 1, 5, 1, 5, 1, 1, 1, 0, 1, true, 0);
        assertEquals(1, WeightRep.fromWeights(wide, WeightRep.Kind.DENSE8, new int[] {3, 0, 0, -2, 1}, 0, 0, 0, 0).rowMask()[0]);
        // dense weights follow the same rule: five rows of the 5x1 kernel, one of the 1x5
        assertEquals(0b11111, WeightRep.dense(tall).rowMask()[0]);
        assertEquals(1, WeightRep.dense(wide).rowMask()[0]);
        assertEquals("WeightRep.fromWeights(k): got 8 weights, need M*C/G*R*S = 9", message(
            () -> WeightRep.fromWeights(l, WeightRep.Kind.DENSE8, new int[8], 0, 0, 0, 0)), "one 3x3 kernel: 1 x 9");
        assertEquals("WeightRep.fromWeights(p): got 3 weights, need M*C/G*R*S = 2", message(() -> WeightRep.fromWeights(p, WeightRep.Kind.DENSE8, new int[3], 0, 0, 0, 0)));
    }

    @Test
    void workloadEntriesAreChecked() {
        LayerSpec l = LayerSpec.fc("fc", LayerType.FC, 2, 3, true);
        WeightRep w = WeightRep.dense(l);
        ActStats a = ActStats.worstCase();
        // each null is named (the message used to say only "fields must be non-null")
        String[] want = {"Workload.Entry: layer, weights and act must be non-null, got null layer",
            "Workload.Entry(fc): layer, weights and act must be non-null, got null weights",
            "Workload.Entry(fc): layer, weights and act must be non-null, got null act"};
        Object[][] cases = {{null, w, a}, {l, null, a}, {l, w, null}};
        for (int i = 0; i < cases.length; i++) {
            Object[] nulls = cases[i];
            assertEquals(want[i], message(() -> new Workload.Entry((LayerSpec) nulls[0], (WeightRep) nulls[1],
                    (ActStats) nulls[2])));
        }
        assertEquals("WeightRep for fc has 1 kernels, layer needs M*C/G = 6", message(() -> new Workload.Entry(l, WeightRep.dense(LayerSpec.fc("x", LayerType.FC, 1, 1, true)), a)));
        assertEquals("Workload(w).layers must be non-empty", message(() -> new Workload("w", List.of(), "")));
        assertEquals("Workload(w).layers must be non-empty", message(() -> new Workload("w", null, "")));
        java.util.List<Workload.Entry> in = new java.util.ArrayList<>(List.of(new Workload.Entry(l, w, a)));
        Workload wl = new Workload("w", in, "n");
        in.clear();
        assertEquals(1, wl.layers().size(), "the workload keeps its own copy");
    }

    @Test
    void paperModelLookups() {
        assertTrue(PaperModels.scnnRuns("vgg11"));
        assertEquals(false, PaperModels.scnnRuns("efficientnetb0"), "[P]: SCNN is not run on EfficientNet-B0");
        // Tables III/IV: 1 - spar.
        assertEquals(0.072, PaperModels.ceDensity("vgg19-cifar"));
        assertEquals("paper model must be one of " + PaperModels.NAMES + ", got lenet", message(() -> PaperModels.ceDensity("lenet")));
        Knobs k = Knobs.defaults();
        assertEquals(0.271, PaperModels.rowZero("mobilenetv2", k), "[P V-A]");
        assertEquals(0.324, PaperModels.rowZero("resnet164", k), "[P V-A]");
        assertEquals(0.2, PaperModels.rowZero("vgg11", new Knobs(1, 25.6, Knobs.BaselineWeights.SAME, false, false, 0.2)));
        // a workload with its zero-row fraction given: every layer but the first (dense pixels) gets it
        ArchSpec a = ArchSpec.paper();
        Workload given = PaperModels.workload("resnet164", a, 0.1);
        assertEquals(0, given.layers().get(0).act().rowZero());
        assertTrue(given.layers().stream().skip(1).allMatch(x -> x.act().rowZero() == 0.1));
        assertEquals(PaperModels.workload("resnet164", k, a).layers().stream().map(Workload.Entry::act).toList(),
            PaperModels.workload("resnet164", a, 0.324).layers().stream().map(Workload.Entry::act).toList(),
            "the knob form delegates with rowZero()");
        assertEquals("PaperModels.workload.rowZero must be in [0, 0.99], got 1",
            message(() -> PaperModels.workload("resnet164", a, 1)));
        // vectorDensity at the ends of its range: 0 -> 0; the exponent fit at 0.5: 1 - 0.5^1.678
        assertEquals(0, PaperModels.vectorDensity(0));
        assertEquals(1 - Math.pow(0.5, 1.678), PaperModels.vectorDensity(0.5), 1e-15);
        assertEquals("PaperModels.vectorDensity.ceDensity must be in [0, 1], got -0.1",
            message(() -> PaperModels.vectorDensity(-0.1)));
        assertTrue(message(() -> PaperModels.layers("lenet"))
            .endsWith("or resnet18-cifar, mobilenetv2-cifar, got lenet"));
    }

    @Test
    void structuralRatioRowsAreCopiesOfTablesXAndXi() {
        int[][] r = PaperModels.structuralRatioRows("resnet18-cifar");
        // Table X, ResNet-18 C-10: 21 rows, the first CONV1 64x3x3 at 20%, the last the linear 10x512 at 0%
        assertEquals(21, r.length);
        assertArrayEquals(new int[] {64, 3, 3, 20}, r[0]);
        assertArrayEquals(new int[] {10, 512, 1, 0}, r[20]);
        r[0][3] = 99;
        assertEquals(20, PaperModels.structuralRatioRows("resnet18-cifar")[0][3], "the caller gets a copy");
        int[][] m = PaperModels.structuralRatioRows("mobilenetv2-cifar");
        assertArrayEquals(new int[] {1280, 320, 1, 80}, m[m.length - 1], "Table XI's last row, L15.C2");
        assertEquals("PaperModels.structuralRatioRows: no structural ratio table for 'vgg11'; known: ",
            message(() -> PaperModels.structuralRatioRows("vgg11")).replaceAll("\\[.*]$", ""));
        assertTrue(message(() -> PaperModels.structuralKeep("vgg11"))
            .startsWith("PaperModels.structuralKeep: no structural ratio table for 'vgg11'"));
    }

    @Test
    void layersAsMapsAreTheLayersFieldMaps() {
        List<Map<String, Object>> maps = PaperModels.layersAsMaps("vgg19-cifar");
        List<LayerSpec> ls = PaperModels.layers("vgg19-cifar");
        assertEquals(ls.size(), maps.size());
        for (int i = 0; i < ls.size(); i++) {
            assertEquals(ls.get(i).toMap(), maps.get(i));
            assertNotSame(ls.get(i).toMap(), maps.get(i));
        }
        // VGG-19 for CIFAR: 16 convs and one classifier FC, 17 layers
        assertEquals(17, maps.size());
    }

    @Test
    void assumptionsEchoTheConstants() {
        Map<String, Object> a = PaperModels.assumptions();
        assertEquals(List.of(2.3, "[P App. B]"), a.get("huffmanBitsPerCeNonZero"));
        assertEquals("VECTOR_ELEM", ((List<?>) a.get("ceIndex")).get(0));
        assertEquals(192, ((List<?>) a.get("sliceRows")).get(0));
        assertEquals(1.678, ((List<?>) a.get("vectorDensityExponent")).get(0));
        assertEquals(0.798, ((List<?>) a.get("activationBitSparsity")).get(0));
        assertEquals(0.660, ((List<?>) a.get("activationBoothSparsity")).get(0));
        assertEquals("MobileNetV2 0.271, ResNet-164 0.324, else knobs.rowZeroDefault", ((List<?>) a.get("rowZero")).get(0));
        assertEquals(List.of("huffmanBitsPerCeNonZero", "ceIndex", "sliceRows", "vectorDensityExponent", "activationBitSparsity",
            "activationBoothSparsity", "firstLayerActivations", "ceDensity", "rowZero"), List.copyOf(a.keySet()));
        // what is assumed says so (the session-34 audit: these were tagged [P] alone): the stated maxima used as
        // means, one density for every layer and DeepLabV3+'s borrowed sparsity, the dense first layer
        for (String key : List.of("rowZero", "ceDensity", "firstLayerActivations", "activationBitSparsity"))
            assertTrue(((List<?>) a.get(key)).get(1).toString().contains("[A]"), key + ": " + a.get(key));
    }

    /**
     * The published architectures' layer counts and heads, which the 5% MAC bands of SpecTest do not pin (VGG-11's
     * three FC layers are 1.6% of its MACs): VGG-11 (configuration A, Simonyan and Zisserman 2015): 8 convs and FC
     * 25088-4096-4096-1000; MobileNetV2 (Sandler et al. 2018, Table 2): 17 bottlenecks, the first without expansion,
     * then a 1x1 conv to 1280 and the classifier; EfficientNet-B0 (Tan and Le 2019, Table 1): 16 MBConv blocks with
     * squeeze-excitation, the first without expansion, head 1280.
     */
    @Test
    void paperModelLayerCountsAndHeads() {
        List<LayerSpec> vgg = PaperModels.layers("vgg11");
        assertEquals(11, vgg.size());
        assertEquals(List.of("fc0 4096x25088", "fc1 4096x4096", "fc2 1000x4096"),
            vgg.subList(8, 11).stream().map(l -> l.id() + " " + l.m() + "x" + l.c()).toList());
        assertTrue(vgg.subList(8, 11).stream().allMatch(l -> l.type() == LayerType.FC && !l.inBenchmark()));
        assertEquals(List.of("conv0", "conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "conv7"),
            vgg.subList(0, 8).stream().map(LayerSpec::id).toList());
        // MobileNetV2: conv1 + block 0 (dw, project) + 16 blocks x (expand, dw, project) + conv_last + FC = 53
        List<LayerSpec> mb = PaperModels.layers("mobilenetv2");
        assertEquals(53, mb.size());
        assertEquals(List.of("b16_expand", "b16_dw", "b16_project", "conv_last", "fc0"),
            mb.subList(48, 53).stream().map(LayerSpec::id).toList());
        assertEquals(List.of(1280, 320, 7), List.of(mb.get(51).m(), mb.get(51).c(), mb.get(51).h()), "conv_last on 7x7 x 320");
        assertEquals(List.of(1000, 1280), List.of(mb.get(52).m(), mb.get(52).c()));
        // EfficientNet-B0: stem + block 0 (dw, se1, se2, project) + 15 blocks x 5 + head + FC = 82
        List<LayerSpec> ef = PaperModels.layers("efficientnetb0");
        assertEquals(82, ef.size());
        assertEquals(List.of("b15_expand", "b15_dw", "b15_se1", "b15_se2", "b15_project", "head", "fc0"),
            ef.subList(75, 82).stream().map(LayerSpec::id).toList());
        assertEquals("b1_expand", ef.get(5).id());
        // squeeze-excitation to a quarter of the block's input channels (se_ratio 0.25 of the reference implementation):
        // block 0 takes the stem's 32 channels -> 8; block 1 takes 16, expands them to 96 and squeezes to 4
        assertEquals(List.of("b0_se1", 8, 32), List.of(ef.get(2).id(), ef.get(2).m(), ef.get(2).c()));
        assertEquals(List.of("b0_se2", 32, 8), List.of(ef.get(3).id(), ef.get(3).m(), ef.get(3).c()));
        assertEquals(List.of("b1_se1", 4, 96), List.of(ef.get(7).id(), ef.get(7).m(), ef.get(7).c()));
    }

    /**
     * DeepLabV3+ (Chen et al. 2018) with the ResNet-50 backbone at output stride 16 (last stage dilated 2) on CamVid
     * (360 x 480, 11 classes): backbone 1 + 16 x 3 + 4 shortcut convs = 53 layers to 23 x 30 x 2048; ASPP: a 1x1 conv,
     * three 3x3 convs at rates 6, 12, 18, image pooling (a 1x1 conv on the pooled 1x1 map) and a 1x1 projection of the
     * five 256-channel branches (1280 channels); decoder: 48-channel 1x1 on the stride-4 features (256 x 90 x 120), two
     * 3x3 convs of 256 on the 304 concatenated channels, and the 11-class classifier: 63 layers.
     */
    @Test
    void deepLabV3PlusHead() {
        List<LayerSpec> d = PaperModels.layers("deeplabv3plus");
        assertEquals(63, d.size());
        assertEquals(List.of("aspp_1x1", "aspp_d6", "aspp_d12", "aspp_d18", "aspp_pool", "aspp_proj", "dec_low", "dec_conv1",
            "dec_conv2", "classifier"), d.subList(53, 63).stream().map(LayerSpec::id).toList());
        for (LayerSpec l : d.subList(53, 57)) {
            assertEquals(List.of(256, 2048, 23, 30, 23, 30), List.of(l.m(), l.c(), l.h(), l.w(), l.e(), l.f()), l.id());
            assertEquals(l.r() == 1 ? 0 : l.dil(), l.pad(), l.id() + ": Same padding of a dilated 3x3 is its rate");
        }
        assertEquals(List.of(1, 6, 12, 18), d.subList(53, 57).stream().map(LayerSpec::dil).toList());
        // output stride 16: the last stage (block4) is dilated 2 instead of strided, the third is not dilated
        for (LayerSpec l : d) {
            if (l.id().matches("s4b\\d_b")) assertEquals(List.of(2, 2, 1), List.of(l.dil(), l.pad(), l.stride()), l.id());
            if (l.id().matches("s3b\\d_b")) assertEquals(1, l.dil(), l.id());
        }
        assertEquals(List.of("s4b0_a", "s4b0_b", "s4b0_c", "s4b0_down"), d.subList(43, 47).stream().map(LayerSpec::id).toList());
        LayerSpec pool = d.get(57), proj = d.get(58), low = d.get(59), c1 = d.get(60), c2 = d.get(61), cls = d.get(62);
        assertEquals(List.of(256, 2048, 1, 1), List.of(pool.m(), pool.c(), pool.h(), pool.e()));
        assertEquals(List.of(256, 1280, 23, 30), List.of(proj.m(), proj.c(), proj.h(), proj.w()));
        assertEquals(List.of(48, 256, 90, 120), List.of(low.m(), low.c(), low.h(), low.w()));
        assertEquals(List.of(256, 304, 3, 90, 120), List.of(c1.m(), c1.c(), c1.r(), c1.e(), c1.f()));
        assertEquals(List.of(256, 256, 3, 90, 120), List.of(c2.m(), c2.c(), c2.r(), c2.e(), c2.f()));
        assertEquals(List.of(11, 256, 1, 90, 120), List.of(cls.m(), cls.c(), cls.r(), cls.e(), cls.f()));
    }
}
