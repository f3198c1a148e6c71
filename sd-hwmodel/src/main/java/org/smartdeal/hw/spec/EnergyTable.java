package org.smartdeal.hw.spec;

/**
 * Unit energies in pJ (28 nm, per 8-bit access or per operation), HWMODEL.md 1.4. Paper values
 * [P Table I]: DRAM, MAC, multiplier, adder, SRAM range; the rest are [A] knobs documented in
 * {@code energy-table-v1.json}. Energy = action count x {@link #pj(String)}.
 *
 * @param dramPjPer8Bit         DRAM access [P T.I] 100
 * @param macPjPer8Bit          8-bit MAC [P T.I] 0.143
 * @param multPjPer8Bit         8-bit multiplier [P T.I] 0.124
 * @param addPjPer8Bit          8-bit adder [P T.I] 0.019
 * @param sramPjPer8BitAt2KB    SRAM at the smallest bank (2 KB) [P T.I low end] 1.36
 * @param sramPjPer8BitAt16KB   SRAM at a 16 KB bank [P T.I high end] 2.45
 * @param rfPjPer8Bit           RF / FIFO / accumulator access [A, Eyeriss RF ~ 1 MAC] 0.143
 * @param bitSerialTermPj       one bit-serial term (shift + 24-bit add) [A] 0.057
 * @param reShiftAddPj          one 16-bit shift-add in a rebuild engine [A] 0.038
 * @param selectPj              Booth encode / index select / IM select [A] 0.019
 * @param huffmanDecodePj       one Huffman LUT decode [A] 0.143
 * @param crossbarPj            SCNN crossbar transfer of one product [A] 0.057
 * @param staticMw              leakage power, off by default [A]
 */
public record EnergyTable(double dramPjPer8Bit, double macPjPer8Bit, double multPjPer8Bit, double addPjPer8Bit,
                          double sramPjPer8BitAt2KB, double sramPjPer8BitAt16KB, double rfPjPer8Bit,
                          double bitSerialTermPj, double reShiftAddPj, double selectPj, double huffmanDecodePj,
                          double crossbarPj, double staticMw) {

    /** Validates that every energy is finite and non-negative and the SRAM range is ordered. */
    public EnergyTable {
        double[] v = {dramPjPer8Bit, macPjPer8Bit, multPjPer8Bit, addPjPer8Bit, sramPjPer8BitAt2KB, sramPjPer8BitAt16KB,
            rfPjPer8Bit, bitSerialTermPj, reShiftAddPj, selectPj, huffmanDecodePj, crossbarPj, staticMw};
        String[] n = {"dramPjPer8Bit", "macPjPer8Bit", "multPjPer8Bit", "addPjPer8Bit", "sramPjPer8BitAt2KB",
            "sramPjPer8BitAt16KB", "rfPjPer8Bit", "bitSerialTermPj", "reShiftAddPj", "selectPj", "huffmanDecodePj",
            "crossbarPj", "staticMw"};
        for (int k = 0; k < v.length; k++) Specs.range("EnergyTable", n[k], v[k], 0, 1e6);
        if (sramPjPer8BitAt16KB < sramPjPer8BitAt2KB)
            throw new IllegalArgumentException("EnergyTable.sramPjPer8BitAt16KB must be >= sramPjPer8BitAt2KB, got "
                + Specs.plain(sramPjPer8BitAt16KB) + " < " + Specs.plain(sramPjPer8BitAt2KB));
    }

    /**
     * Copy with another RF / FIFO / accumulator energy (the knob sweep's sensitivity row: every design's
     * accumulators are priced as RF accesses).
     */
    public EnergyTable withRfPjPer8Bit(double pj) {
        return new EnergyTable(dramPjPer8Bit, macPjPer8Bit, multPjPer8Bit, addPjPer8Bit, sramPjPer8BitAt2KB,
            sramPjPer8BitAt16KB, pj, bitSerialTermPj, reShiftAddPj, selectPj, huffmanDecodePj, crossbarPj, staticMw);
    }

    /** The table shipped as resource {@code energy-table-v1.json} (28 nm, Table I). */
    public static EnergyTable paper28nm() {
        return Specs.load(EnergyTable.class, "energy-table-v1.json");
    }

    /**
     * SRAM energy per 8-bit access for a bank of {@code bankBytes}: log-interpolation of Table I's
     * range, {@code clamp(e2K + (e16K-e2K) log2(b/2KB)/3, e2K, e16K)} [A]; 4 KB gives 1.72 pJ.
     */
    public double sramPjPer8Bit(double bankBytes) {
        double t = Math.log(bankBytes / 2048.0) / Math.log(2) / 3.0;
        return Math.max(sramPjPer8BitAt2KB, Math.min(sramPjPer8BitAt16KB,
            sramPjPer8BitAt2KB + (sramPjPer8BitAt16KB - sramPjPer8BitAt2KB) * t));
    }

    /**
     * The unit key of an SRAM bank of {@code bankBytes} ({@link #pj}): "sram" and the size as {@link Specs#plain}
     * writes it, so that a fractional size an architecture gives (3000.7 bytes) is priced at that size, not at its
     * whole part; whole sizes read sram2048.
     *
     * @param bankBytes the bank's size in bytes
     * @return the key
     */
    public static String sramKey(double bankBytes) {
        return "sram" + Specs.plain(bankBytes);
    }

    /**
     * Unit energy for an action's unit key: {@code dram, mac, mult, add, add24, rf, term, reShiftAdd,
     * select, huffman, crossbar} or {@code sram<bytes>} (bank size in bytes, a finite number &gt; 0, e.g.
     * {@code sram2048}).
     *
     * @throws IllegalArgumentException for any other key, naming it and the keys
     */
    public double pj(String unit) {
        if (unit.startsWith("sram")) {
            String size = unit.substring(4);
            double bytes;
            try {
                bytes = Double.parseDouble(size);
            } catch (NumberFormatException e) {
                bytes = Double.NaN;
            }
            // log2 of a negative or NaN size is NaN: the action would be priced at NaN pJ
            if (!(bytes > 0) || Double.isInfinite(bytes))
                throw new IllegalArgumentException("EnergyTable: unit key '" + unit + "' must be sram and a bank size in "
                    + "bytes > 0, e.g. sram2048, got '" + size + "'" + KEYS);
            return sramPjPer8Bit(bytes);
        }
        return switch (unit) {
            case "dram" -> dramPjPer8Bit;
            case "mac" -> macPjPer8Bit;
            case "mult" -> multPjPer8Bit;
            case "add" -> addPjPer8Bit;
            case "add24" -> addPjPer8Bit * 3;
            case "rf" -> rfPjPer8Bit;
            case "term" -> bitSerialTermPj;
            case "reShiftAdd" -> reShiftAddPj;
            case "select" -> selectPj;
            case "huffman" -> huffmanDecodePj;
            case "crossbar" -> crossbarPj;
            default -> throw new IllegalArgumentException("EnergyTable: unknown unit key '" + unit + "'" + KEYS);
        };
    }

    /** The unit keys {@link #pj} knows, for its messages. */
    private static final String KEYS = " (the keys: dram, mac, mult, add, add24, rf, term, reShiftAdd, select, huffman, "
        + "crossbar, sram<bank bytes>)";
}
