package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.WeightRep;

/** Shared helpers of the five accelerator models: kernel sums, the baselines' weight view, SRAM unit keys. */
final class Counts {
    private Counts() {
    }

    /** nnzW_m = sum over c of nnzW[m][c], per filter m. */
    static double[] nnzPerFilter(LayerSpec l, WeightRep w) {
        int cg = l.cg();
        double[] out = new double[l.m()];
        short[] nz = w.nnzW();
        for (int m = 0; m < l.m(); m++) {
            int s = 0;
            for (int c = 0, k = m * cg; c < cg; c++, k++) s += nz[k];
            out[m] = s;
        }
        return out;
    }

    /** Sum over groups of {@code g} consecutive filters of the group maximum of {@code perFilter}. */
    static double groupMaxSum(double[] perFilter, int g) {
        double t = 0;
        for (int s = 0; s < perFilter.length; s += g) {
            double mx = 0;
            for (int m = s; m < Math.min(perFilter.length, s + g); m++) mx = Math.max(mx, perFilter[m]);
            t += mx;
        }
        return t;
    }

    /**
     * Over the groups of {@code size} consecutive filters of {@code m}, the sum of the number of convolution groups
     * ({@code perGroup} consecutive filters each) that each group spans: how often an input brick multicast to one
     * group of filters is read.
     */
    static double groupsSpanned(int m, int perGroup, int size) {
        double t = 0;
        for (int s = 0; s < m; s += size) t += (Math.min(m, s + size) - 1) / perGroup - s / perGroup + 1;
        return t;
    }

    static double ceilDiv(double a, double b) {
        return Math.ceil(a / b - 1e-9);
    }

    /** The baseline's view of the weights: the same rebuilt zeros (SAME) or dense (DENSE knob). */
    static WeightRep baseline(LayerSpec l, WeightRep w, ArchSpec a) {
        return a.knobs().baselineWeights() == org.smartdeal.hw.spec.Knobs.BaselineWeights.DENSE ? WeightRep.dense(l) : w;
    }


    /** The unit key of an SRAM bank of {@code bankBytes}: {@link org.smartdeal.hw.spec.EnergyTable#sramKey}. */
    static String sram(double bankBytes) {
        return org.smartdeal.hw.spec.EnergyTable.sramKey(bankBytes);
    }

}
