package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;

import java.util.List;

/**
 * The SmartDeal accelerator [P V-B, Table IX]: dim_M = 64 slices x dim_C = 16 PE lines x dim_F = 8
 * bit-serial radix-4 Booth MACs sharing one weight; rebuild engines turn C_e rows into weight rows
 * (once per output segment, no rebuilt-weight cache [A]); slices skip zero C_e vectors and zero
 * weights; zero input row segments are skipped (rowZero) (HWMODEL.md 2.4).
 * Union of needed input rows over a slice group is exact (OR of kernel row masks, per convolution group: fix 40).
 * Depthwise: max non-zeros of one kernel row is taken as min(S, nnz) of the kernel [A].
 */
public final class SmartDealAccel implements AcceleratorModel {
    /** {@inheritDoc} */
    @Override
    public String name() {
        return "smartdeal";
    }

    /** {@inheritDoc} (one per non-zero Booth digit of the activation of each non-zero-weight MAC) */
    @Override
    public String workUnit() {
        return "Booth term";
    }

    /** {@inheritDoc} */
    @Override
    public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec a) {
        w.checkFor(l);
        boolean sd = w.kind() == WeightRep.Kind.SD, fc = l.type() == LayerType.FC || l.type() == LayerType.SE_FC;
        boolean dw = l.type() == LayerType.DWCONV;
        int dimM = a.sdDimM(), dimC = a.sdDimC(), dimF = a.sdDimF(), cg = l.cg();
        short[] nz = w.nnzW(), mask = w.rowMask();
        double rz = act.rowZero(), n = l.batch();
        double seg = Counts.ceilDiv(l.f(), dimF), kSeg = n * l.e() * seg;
        double[] perFilter = new double[l.m()];
        double nnz = 0, rowsAll = 0, rowsUnion = 0, perFilterSum = 0;
        int[] lines = new int[dimC];
        for (int m = 0; m < l.m(); m++) {
            java.util.Arrays.fill(lines, 0);
            int vec = 0, mx = 0;
            for (int c = 0, k = m * cg, ln = 0; c < cg; c++, k++, ln = ln + 1 == dimC ? 0 : ln + 1) {
                lines[ln] += nz[k];
                nnz += nz[k];
                rowsAll += Integer.bitCount(mask[k]);
                mx = Math.max(mx, Math.min(l.s(), nz[k]));
            }
            if (fc) for (int c0 = 0; c0 < cg; c0 += w.n()) {
                boolean on = false;
                for (int c = c0; c < Math.min(cg, c0 + w.n()); c++) on |= nz[m * cg + c] != 0;
                if (on) vec++;
            }
            int best = 0;
            for (int v : lines) best = Math.max(best, v);
            perFilter[m] = fc ? Counts.ceilDiv(vec, (double) dimC * a.sdRePerLine()) : dw ? mx : best;
            perFilterSum += perFilter[m];
        }
        // fix 40: kernel c of filter m reads input channel (m / (M/G)) C/G + c, so a slice group spanning several
        // convolution groups (a depth multiplier > 1) ORs the row masks per convolution group, not over all its filters
        int perGroup = l.m() / l.groups();
        if (dw) rowsUnion = rowsAll;
        else for (int g0 = 0; g0 < l.m(); g0 += dimM) {
            int end = Math.min(l.m(), g0 + dimM);
            for (int m0 = g0; m0 < end; ) {
                int m1 = Math.min(end, (m0 / perGroup + 1) * perGroup);
                int[] or = new int[cg];
                for (int m = m0; m < m1; m++) for (int c = 0, k = m * cg; c < cg; c++, k++) or[c] |= mask[k];
                for (int v : or) rowsUnion += Integer.bitCount(v);
                m0 = m1;
            }
        }
        double gms = Counts.groupMaxSum(perFilter, dimM);
        double lineGroups = Counts.ceilDiv(l.e(), Math.max(1, dimC / l.r()));
        double cc = act.tSD() * switch (l.type()) {
            case CONV -> kSeg * (1 - rz) * gms;
            case DWCONV -> n * lineGroups * seg * (1 - rz) * gms;
            case FC, SE_FC -> n * gms;
        };
        double nzMac = n * l.e() * l.f() * nnz;
        // an FC input row is one value per channel, not HWMODEL.md 2.4's spatial L = (dim_F - 1)U + S (fix 17)
        double len = fc ? 1 : (dimF - 1) * l.stride() + (l.s() - 1) * l.dil() + 1;
        double fetchRows = a.knobs().kappaPerSliceFetch() ? rowsAll : rowsUnion;
        // groupMaxLoad: over groups of dimM filters, the slowest filter's busiest PE line (CONV: non-zero weights;
        // DWCONV: non-zeros of one kernel row; FC: rebuild-engine steps), summed. The input reads are
        // N E segments inputRowLength rowKeep fetchRows (fetchRows = rowsUnion, or rowsAll per slice with kappa)
        List<Object> q = new java.util.ArrayList<>(List.of("tSD", act.tSD(), "N", n, "E", l.e()));
        if (dw) q.addAll(List.of("lineGroups", lineGroups));
        q.addAll(List.of("segments", seg, "rowKeep", 1 - rz, "groupMaxLoad", gms, "inputRowLength", len,
            "rowsUnion", rowsUnion, "rowsAll", rowsAll));
        Derivation d = Derivation.of(switch (l.type()) {
            case CONV -> "tSD * N * E * segments * rowKeep * groupMaxLoad";
            case DWCONV -> "tSD * N * lineGroups * segments * rowKeep * groupMaxLoad";
            case FC, SE_FC -> "tSD * N * groupMaxLoad";
        }, q.toArray());
        double inReads = kSeg * len * (1 - rz) * fetchRows;
        double fifo = kSeg * len * (1 - rz) * rowsAll;
        double betaW = sd ? (w.ceBytes() + w.bBytes()) / l.wSize() : 1;
        Tiling t = TilingSearch.search(l, betaW, 1, 1, 0, a);
        List<Action> x = t.dramActions();
        String wBank = Counts.sram(a.weightBankBytes());
        if (sd) {
            x.add(new Action(Action.Level.SRAM, Action.Data.W, "C_e+index buffer reads", kSeg * w.ceBytes(), wBank));
            x.add(new Action(Action.Level.SRAM, Action.Data.W, "basis buffer reads", kSeg * w.bBytes(), wBank));
            x.add(new Action(Action.Level.RF, Action.Data.W, "basis RF reads", kSeg * w.ceNnz() * w.n(), "rf"));
            x.add(new Action(Action.Level.COMPUTE, Action.Data.OVERHEAD, "rebuild shift-adds", kSeg * w.ceNnz() * w.n(), "reShiftAdd"));
            x.add(new Action(Action.Level.COMPUTE, Action.Data.OVERHEAD, "Huffman decodes", kSeg * w.ceNnz(), "huffman"));
        } else {
            x.add(new Action(Action.Level.SRAM, Action.Data.W, "dense weight buffer reads", kSeg * l.wSize(), wBank));
        }
        x.add(new Action(Action.Level.SRAM, Action.Data.I, "input GB reads", inReads, Counts.sram(a.inputBankBytes())));
        x.add(new Action(Action.Level.RF, Action.Data.I, "input FIFO writes", fifo, "rf"));
        x.add(new Action(Action.Level.SRAM, Action.Data.O, "output GB writes", l.oSize(), Counts.sram(a.outputBankBytes())));
        // fix 32: the output accumulators, charged as Bit-pragmatic's on the same array (HWMODEL.md 2.4 gave SmartDeal
        // none): a read and a write of a psum per busy output per cycle. A slice's dim_F outputs are busy while the
        // slice works on them, tSD rowKeep perFilter[m] cycles (FC: tSD perFilter[m], no row skipping), so the bytes
        // are 2 psumBytes tSD rowKeep (N E F) sum_m perFilter[m]; idle slices and the padded columns of a segment
        // are clock-gated (HWMODEL.md 2.3).
        double outsPerFilter = l.oSize() / l.m(), sliceCycles = act.tSD() * (fc ? 1 : 1 - rz) * perFilterSum;
        x.add(new Action(Action.Level.RF, Action.Data.O, "accumulator read+write",
            2 * a.psumBytes() * outsPerFilter * sliceCycles, "rf"));
        x.add(new Action(Action.Level.COMPUTE, Action.Data.OVERHEAD, "Booth encodes", inReads, "select"));
        x.add(new Action(Action.Level.COMPUTE, Action.Data.ARITH, "bit-serial terms", nzMac * act.boothDig(), "term"));
        return new ActionCounts(name(), l.id(), cc, nzMac * act.boothDig(), (double) dimM * dimC * dimF, t, x, d);
    }
}
