package org.smartdeal.hw.model;

/**
 * The DRAM-optimal tiling of one layer for one accelerator (HWMODEL.md 2.1): tile counts per loop,
 * the loop order outer to inner, and the resulting DRAM bytes per tensor.
 *
 * @param tN           tiles of the batch loop (a power of two dividing N, or N: fix 38; the N loop is outermost)
 * @param tM           tiles of M
 * @param tC           tiles of C/G
 * @param tE           tiles of E
 * @param tF           tiles of F
 * @param order        loop order outer to inner, e.g. "MCEF"
 * @param wBytes       weight DRAM bytes (incl. index and B)
 * @param iBytes       input activation DRAM bytes (incl. halo re-reads)
 * @param oBytes       output DRAM bytes written once
 * @param psumBytes    partial-sum write-back plus re-read DRAM bytes
 * @param firstWTile   bytes of the first weight tile (fill latency)
 * @param firstITile   DRAM bytes of the first input tile, its zero padding left out (fill latency)
 */
public record Tiling(int tN, int tM, int tC, int tE, int tF, String order, double wBytes, double iBytes, double oBytes,
                     double psumBytes, double firstWTile, double firstITile) {

    /** Total DRAM bytes. */
    public double dramBytes() {
        return wBytes + iBytes + oBytes + psumBytes;
    }

    /**
     * The four DRAM actions of this tiling (weight reads, input reads, output writes, partial-sum write and
     * re-read; bytes, priced by the "dram" unit), in a fresh list an accelerator model adds its other actions to.
     * The five models all start their action lists with it, so DRAM is counted alike everywhere.
     */
    public java.util.List<Action> dramActions() {
        java.util.List<Action> a = new java.util.ArrayList<>();
        a.add(new Action(Action.Level.DRAM, Action.Data.W, "DRAM weight reads", wBytes, "dram"));
        a.add(new Action(Action.Level.DRAM, Action.Data.I, "DRAM input reads", iBytes, "dram"));
        a.add(new Action(Action.Level.DRAM, Action.Data.O, "DRAM output writes", oBytes, "dram"));
        a.add(new Action(Action.Level.DRAM, Action.Data.O, "DRAM psum write+read", psumBytes, "dram"));
        return a;
    }
}
