package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.LayerSpec;

/**
 * One layer priced on one accelerator: the action counts, the energy matrix (level x data type,
 * pJ, each cell the sum of count x unit energy of its actions) and the roofline latency
 * {@code cycles = max(ccomp + fill, dram/BW)} (HWMODEL.md 2.2-2.3 with fix 31: the first tiles load before compute
 * starts, the rest overlaps it, so a DRAM-bound layer takes dram/BW, its first tiles counted once).
 *
 * @param layer       the layer (at the priced batch)
 * @param counts      action counts
 * @param energyPj    [Action.Level][Action.Data] energy in pJ
 * @param totalPj     total energy in pJ
 * @param cycles      latency in cycles
 * @param cdram       DRAM cycles, dram bytes / BW
 * @param fill        pipeline fill cycles, (first W tile + first I tile) / BW
 * @param boundBy     the busier resource: "compute" when ccomp &gt;= dram/BW, else "dram" (a layer whose fill
 *                    dominates, one tile loaded whole, is "dram" though its cycles are ccomp + fill)
 * @param utilisation effectual work / (peak x cycles)
 */
public record LayerResult(LayerSpec layer, ActionCounts counts, double[][] energyPj, double totalPj, double cycles,
                          double cdram, double fill, String boundBy, double utilisation) {

    /** DRAM bytes of all tensors. */
    public double dramBytes() {
        return counts.tiling().dramBytes();
    }

    /** Energy of one level, pJ. */
    public double levelPj(Action.Level lv) {
        double s = 0;
        for (double v : energyPj[lv.ordinal()]) s += v;
        return s;
    }
}
