package org.smartdeal.hw.spec;

/**
 * The [A] knobs HWMODEL.md leaves open and 4.2 asks to settle by sweep, never per model. Defaults in
 * resource {@code knobs-v1.json}; every result echoes them.
 *
 * @param batch               N for energy, DRAM and latency (latency at batch 1 [P]) [A] 1
 * @param dramBwBytesPerCycle DRAM bandwidth in bytes per 1 GHz cycle, at least {@link #MIN_DRAM_BW}; +Inf = unlimited
 *                            [A] 25.6
 * @param baselineWeights     SAME: Cambricon-X and SCNN exploit the zeros of the same rebuilt W as
 *                            SmartDeal; DENSE: baselines run the dense 8-bit model [A] SAME
 * @param kappaPerSliceFetch  SmartDeal input GB read once per slice instead of multicast to dim_M slices [A] false
 * @param fuseOnChip          activations that fit the input buffer skip the DRAM round trip [A] false
 * @param rowZeroDefault      SmartDeal zero-row fraction for paper models whose value the paper does not state [A] 0
 */
public record Knobs(int batch, double dramBwBytesPerCycle, BaselineWeights baselineWeights,
                    boolean kappaPerSliceFetch, boolean fuseOnChip, double rowZeroDefault) {

    /** Which weights the sparse baselines see. */
    public enum BaselineWeights {
        /** The same rebuilt SmartDeal weights (their zeros are exploited by CX/SCNN). */
        SAME,
        /** The dense 8-bit weights. */
        DENSE
    }

    /**
     * The smallest DRAM bandwidth, 10^-6 bytes per cycle (1 KB/s at 1 GHz): below it a layer's DRAM bytes / bandwidth
     * can overflow to infinite cycles (at 1e-320, a subnormal double), which no report can carry.
     */
    public static final double MIN_DRAM_BW = 1e-6;

    /** Validates ranges. */
    public Knobs {
        Specs.range("Knobs", "batch", batch, 1, 4096);
        if (!(dramBwBytesPerCycle >= MIN_DRAM_BW))
            throw new IllegalArgumentException("Knobs.dramBwBytesPerCycle must be at least " + Specs.plain(MIN_DRAM_BW)
                + " bytes per cycle (Infinity = unlimited), got " + Specs.plain(dramBwBytesPerCycle));
        if (baselineWeights == null) throw new IllegalArgumentException("Knobs.baselineWeights must be SAME or DENSE, got null");
        Specs.range("Knobs", "rowZeroDefault", rowZeroDefault, 0, 0.99);
    }

    /** Defaults from resource {@code knobs-v1.json}. */
    public static Knobs defaults() {
        return Specs.load(Knobs.class, "knobs-v1.json");
    }

    /** Copy with another batch. */
    public Knobs withBatch(int n) { return new Knobs(n, dramBwBytesPerCycle, baselineWeights, kappaPerSliceFetch, fuseOnChip, rowZeroDefault); }

    /** Copy with another DRAM bandwidth. */
    public Knobs withBw(double bw) { return new Knobs(batch, bw, baselineWeights, kappaPerSliceFetch, fuseOnChip, rowZeroDefault); }

    /** Copy with another baseline-weights choice. */
    public Knobs withBaselineWeights(BaselineWeights b) { return new Knobs(batch, dramBwBytesPerCycle, b, kappaPerSliceFetch, fuseOnChip, rowZeroDefault); }

    /** Copy with another kappa setting. */
    public Knobs withKappa(boolean perSlice) { return new Knobs(batch, dramBwBytesPerCycle, baselineWeights, perSlice, fuseOnChip, rowZeroDefault); }
}
