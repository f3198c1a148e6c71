package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;

import java.util.List;

/**
 * Cambricon-X (Zhang et al., MICRO'16) scaled to 64 PEs x 16 MACs [A]: weight sparsity only, PEs of
 * one output pixel wait for the slowest filter; step index min(1 bit/weight, 4 bits/nnz) (HWMODEL.md 2.4).
 */
public final class CambriconX implements AcceleratorModel {
    /** {@inheritDoc} */
    @Override
    public String name() {
        return "cambriconx";
    }

    /** {@inheritDoc} (MACs with a non-zero weight) */
    @Override
    public String workUnit() {
        return "non-zero-weight MAC";
    }

    /** {@inheritDoc} */
    @Override
    public ActionCounts count(LayerSpec l, WeightRep w0, ActStats act, ArchSpec a) {
        WeightRep w = Counts.baseline(l, w0, a);
        double[] nzm = Counts.nnzPerFilter(l, w);
        double nnz = 0;
        for (double v : nzm) nnz += v;
        double[] steps = new double[nzm.length];
        for (int m = 0; m < nzm.length; m++) steps[m] = Counts.ceilDiv(nzm[m], a.cxMacsPerPe());
        double nef = (double) l.batch() * l.e() * l.f(), nzMac = nef * nnz;
        double groupMaxSteps = Counts.groupMaxSum(steps, a.cxPes());
        double cc = nef * groupMaxSteps;
        // groupMaxSteps: over groups of cxPes filters, the slowest filter's ceil(nnz / cxMacsPerPe), summed
        Derivation d = Derivation.of("N * E * F * groupMaxSteps", "N", l.batch(), "E", l.e(), "F", l.f(),
            "groupMaxSteps", groupMaxSteps, "nnzW", nnz);
        double idxBits = Math.min(l.wSize(), a.cxIdxBitsPerNz() * nnz);
        double idxPerNz = nnz > 0 ? idxBits / 8 / nnz : 0;
        Tiling t = TilingSearch.search(l, (8 * nnz + idxBits) / (8 * l.wSize()), 1, 1, 0, a);
        List<Action> x = t.dramActions();
        x.add(new Action(Action.Level.SRAM, Action.Data.W, "weight+index buffer reads", nzMac * (1 + idxPerNz),
            Counts.sram(a.weightBankBytes())));
        // fix 14: a depthwise filter needs its own channel, so the window is not shared by the 64 PEs; fix 41: a PE group
        // spanning several convolution groups holds each group's window (HWMODEL.md's ceil(M/64) is the case G = 1)
        x.add(new Action(Action.Level.SRAM, Action.Data.I, "input buffer reads", l.type() == LayerType.DWCONV ? l.macs()
            : nef * Counts.groupsSpanned(l.m(), l.m() / l.groups(), a.cxPes()) * l.cg() * l.r() * l.s(),
            Counts.sram(a.inputBankBytes())));
        x.add(new Action(Action.Level.SRAM, Action.Data.O, "output buffer writes", l.oSize(), Counts.sram(a.outputBankBytes())));
        // fix 27: a PE waiting for the slowest of its group is clock-gated and free (HWMODEL.md 2.3): each filter's PE
        // accumulates once per step of its own, ceil(nnzW_m / 16) a pixel; HWMODEL.md's 6 Ccomp 64 is the case of 64
        // filters of equal steps
        double ownSteps = 0;
        for (double s : steps) ownSteps += s;
        x.add(new Action(Action.Level.RF, Action.Data.O, "accumulator read+write", 2 * a.psumBytes() * nef * ownSteps, "rf"));
        x.add(new Action(Action.Level.COMPUTE, Action.Data.ARITH, "MACs", nzMac, "mac"));
        x.add(new Action(Action.Level.COMPUTE, Action.Data.OVERHEAD, "IM selects", nzMac, "select"));
        return new ActionCounts(name(), l.id(), cc, nzMac, (double) a.cxPes() * a.cxMacsPerPe(), t, x, d);
    }
}
