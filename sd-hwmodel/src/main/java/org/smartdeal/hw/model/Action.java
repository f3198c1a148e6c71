package org.smartdeal.hw.model;

/**
 * One counted action (Accelergy-style): {@code count} events of one kind at one storage or compute
 * level, for one data type, priced by the energy-table entry {@code unit}
 * (see {@link org.smartdeal.hw.spec.EnergyTable#pj(String)}). Memory counts are 8-bit accesses
 * (bytes); compute counts are operations.
 *
 * @param level  DRAM, SRAM, RF or COMPUTE
 * @param data   W (incl. index and B), I, O (incl. psums), OVERHEAD (rebuild, Booth, index, Huffman) or ARITH
 * @param name   what is counted, e.g. "weight buffer reads"
 * @param count  number of 8-bit accesses or operations
 * @param unit   energy-table unit key, e.g. {@code dram}, {@code sram2048}, {@code mac}
 */
public record Action(Level level, Data data, String name, double count, String unit) {

    /** Storage / compute level. */
    public enum Level { DRAM, SRAM, RF, COMPUTE }

    /** Data type an action serves. */
    public enum Data { W, I, O, OVERHEAD, ARITH }

    /**
     * What {@link #count} counts: {@code bytes} (8-bit accesses) at DRAM, SRAM and RF, {@code cycles} for the
     * leakage action (unit {@code leakageCycle}), {@code operations} for every other compute action.
     */
    public String countUnit() {
        if (level != Level.COMPUTE) return "bytes";
        return unit.equals("leakageCycle") ? "cycles" : "operations";
    }

    /** Rejects negative or non-finite counts. */
    public Action {
        if (!(count >= 0) || Double.isInfinite(count))
            throw new IllegalArgumentException("Action(" + name + ").count must be finite and >= 0, got " + count);
    }
}
