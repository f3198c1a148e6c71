package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;

import java.util.List;

/**
 * DianNao (Chen et al., ASPLOS'14) scaled to Tn x Ti = 32 x 32 8-bit MACs [A]: dense NFU with
 * output-lane accumulators; zeros are computed (HWMODEL.md 2.4).
 */
public final class DianNao implements AcceleratorModel {
    /** {@inheritDoc} */
    @Override
    public String name() {
        return "diannao";
    }

    /** {@inheritDoc} (every MAC, zero operands included) */
    @Override
    public String workUnit() {
        return "MAC";
    }

    /** {@inheritDoc} */
    @Override
    public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec a) {
        int tn = a.dnTn(), ti = a.dnTi();
        double nef = (double) l.batch() * l.e() * l.f(), mac = l.macs();
        double outTiles = Counts.ceilDiv(l.m(), tn);
        Derivation d = switch (l.type()) {
            case CONV -> Derivation.of("N * E * F * R * S * inTiles * outTiles", "N", l.batch(), "E", l.e(), "F", l.f(),
                "R", l.r(), "S", l.s(), "inTiles", Counts.ceilDiv(l.cg(), ti), "outTiles", outTiles);
            case DWCONV -> Derivation.of("N * E * F * windowTiles * outTiles", "N", l.batch(), "E", l.e(), "F", l.f(),
                "windowTiles", Counts.ceilDiv(l.r() * l.s(), ti), "outTiles", outTiles);
            case FC, SE_FC -> Derivation.of("N * inTiles * outTiles", "N", l.batch(), "inTiles", Counts.ceilDiv(l.c(), ti),
                "outTiles", outTiles);
        };
        double cc = switch (l.type()) {
            case CONV -> nef * l.r() * l.s() * Counts.ceilDiv(l.cg(), ti) * outTiles;
            case DWCONV -> nef * Counts.ceilDiv(l.r() * l.s(), ti) * outTiles;
            case FC, SE_FC -> l.batch() * Counts.ceilDiv(l.c(), ti) * outTiles;
        };
        Tiling t = TilingSearch.search(l, 1, 1, 1, 0, a);
        List<Action> x = t.dramActions();
        x.add(new Action(Action.Level.SRAM, Action.Data.W, "weight buffer reads", mac, Counts.sram(a.weightBankBytes())));
        // fix 27: idle lanes are clock-gated and free (HWMODEL.md 2.3): a cycle reads its busy input lanes once for the Tn
        // output lanes they feed, and each busy output lane accumulates once. HWMODEL.md's Mac/Tn and 6 Mac/Ti are the
        // case of full tiles (M a multiple of Tn, C/G of Ti); depthwise inputs have a port per lane [A] and stay Mac.
        // Fix 41: an output tile spanning several convolution groups (a grouped CONV) reads each group's inputs
        x.add(new Action(Action.Level.SRAM, Action.Data.I, "input buffer reads", l.type() == LayerType.DWCONV ? mac
            : mac / l.m() * Counts.groupsSpanned(l.m(), l.m() / l.groups(), tn), Counts.sram(a.inputBankBytes())));
        x.add(new Action(Action.Level.SRAM, Action.Data.O, "output buffer writes", l.oSize(), Counts.sram(a.outputBankBytes())));
        x.add(new Action(Action.Level.RF, Action.Data.O, "accumulator read+write", 2 * a.psumBytes() * cc / outTiles * l.m(), "rf"));
        x.add(new Action(Action.Level.COMPUTE, Action.Data.ARITH, "MACs", mac, "mac"));
        return new ActionCounts(name(), l.id(), cc, mac, (double) tn * ti, t, x, d);
    }
}
