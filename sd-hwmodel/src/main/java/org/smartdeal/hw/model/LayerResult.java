package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.LayerSpec;

/**
 * One layer priced on one accelerator: the action counts, the energy matrix (level x data type,
 * pJ, each cell the sum of count x unit energy of its actions) and the roofline latency
 * {@code cycles = max(ccomp, dram/BW) + fill} (HWMODEL.md 2.2-2.3).
 *
 * @param layer       the layer (at the priced batch)
 * @param counts      action counts
 * @param energyPj    [Action.Level][Action.Data] energy in pJ
 * @param totalPj     total energy in pJ
 * @param cycles      latency in cycles
 * @param cdram       DRAM cycles, dram bytes / BW
 * @param fill        pipeline fill cycles, (first W tile + first I tile) / BW
 * @param boundBy     "compute" or "dram"
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
