package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;

import java.util.List;

/**
 * Bit-pragmatic (Albericio et al., MICRO'17) on the SmartDeal array [P Table IX]: 64 filters x 8
 * windows x 16-channel bricks of bit-serial terms; activation bits only. Each activation is processed as its
 * oneffsets, the signed power-of-two terms left after recoding runs of ones ({@link ActStats#oneffsets(int)},
 * DNNsim's {@code BOOTH_ENCODING}); the work is {@code MACs x praTerms} terms and a brick waits for the activation
 * with the most oneffsets (tPRA, [S:DNNsim BitPragmatic.cpp]) (HWMODEL.md 2.4).
 */
public final class BitPragmatic implements AcceleratorModel {
    /** {@inheritDoc} */
    @Override
    public String name() {
        return "bitpragmatic";
    }

    /** {@inheritDoc} (one per oneffset of each MAC's activation) */
    @Override
    public String workUnit() {
        return "bit-serial term";
    }

    /** {@inheritDoc} */
    @Override
    public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec a) {
        double mac = l.macs(), seg = Counts.ceilDiv(l.f(), a.praWindows()), mg = Counts.ceilDiv(l.m(), a.praFilters());
        double cc = act.tPRA() * switch (l.type()) {
            case CONV -> l.batch() * mg * l.e() * seg * l.r() * l.s() * Counts.ceilDiv(l.cg(), a.praBrick());
            case DWCONV -> l.batch() * mg * l.e() * seg * Counts.ceilDiv(l.r() * l.s(), a.praBrick());
            case FC, SE_FC -> Counts.ceilDiv(l.batch(), a.praWindows()) * mg * Counts.ceilDiv(l.c(), a.praBrick());
        };
        // tPRA: cycles per brick step (the brick's most oneffsets); praTerms: oneffsets per activation, listed for the
        // bit-serial term count mac * praTerms
        Derivation d = switch (l.type()) {
            case CONV -> Derivation.of("tPRA * N * filterGroups * E * windowSegments * R * S * bricks", "tPRA", act.tPRA(),
                "N", l.batch(), "filterGroups", mg, "E", l.e(), "windowSegments", seg, "R", l.r(), "S", l.s(),
                "bricks", Counts.ceilDiv(l.cg(), a.praBrick()), "praTerms", act.praTerms());
            case DWCONV -> Derivation.of("tPRA * N * filterGroups * E * windowSegments * windowBricks", "tPRA", act.tPRA(),
                "N", l.batch(), "filterGroups", mg, "E", l.e(), "windowSegments", seg,
                "windowBricks", Counts.ceilDiv(l.r() * l.s(), a.praBrick()), "praTerms", act.praTerms());
            case FC, SE_FC -> Derivation.of("tPRA * batchWindows * filterGroups * bricks", "tPRA", act.tPRA(),
                "batchWindows", Counts.ceilDiv(l.batch(), a.praWindows()), "filterGroups", mg,
                "bricks", Counts.ceilDiv(l.c(), a.praBrick()), "praTerms", act.praTerms());
        };
        Tiling t = TilingSearch.search(l, 1, 1, 1, 0, a);
        List<Action> x = t.dramActions();
        double lanes = (double) a.praFilters() * a.praWindows() * a.praBrick();
        // fix 27: the buffers are read and the accumulators work for the busy lanes only (HWMODEL.md 2.3: idle lanes are
        // clock-gated and free). A step reads each busy filter's weight brick once for its window group, and each busy
        // window's input brick once for its filter group (once per convolution group the filter group spans; fix 14: a
        // depthwise filter reads its own channel); HWMODEL.md's Mac/8, Mac/64 and 512-lane accumulator are the case of
        // full groups. FC: the windows are images [A].
        boolean fc = l.type() == LayerType.FC || l.type() == LayerType.SE_FC, dw = l.type() == LayerType.DWCONV;
        double images = fc ? 1 : l.batch(), rows = fc ? 1 : l.e(), windows = fc ? l.batch() : l.f();
        double taps = dw || fc ? 1 : l.r() * l.s(), laneItems = dw ? l.r() * l.s() : l.cg();
        double brickSteps = images * rows * taps * Counts.ceilDiv(laneItems, a.praBrick()); // per filter and window
        double inputReaders = dw ? l.m() : Counts.groupsSpanned(l.m(), l.m() / l.groups(), a.praFilters());
        x.add(new Action(Action.Level.SRAM, Action.Data.W, "weight buffer reads",
            images * l.m() * rows * Counts.ceilDiv(windows, a.praWindows()) * taps * laneItems, Counts.sram(a.weightBankBytes())));
        x.add(new Action(Action.Level.SRAM, Action.Data.I, "input buffer reads",
            images * inputReaders * rows * windows * taps * laneItems, Counts.sram(a.inputBankBytes())));
        x.add(new Action(Action.Level.SRAM, Action.Data.O, "output buffer writes", l.oSize(), Counts.sram(a.outputBankBytes())));
        x.add(new Action(Action.Level.RF, Action.Data.O, "accumulator read+write",
            2 * a.psumBytes() * act.tPRA() * brickSteps * l.m() * windows, "rf"));
        x.add(new Action(Action.Level.COMPUTE, Action.Data.ARITH, "bit-serial terms", mac * act.praTerms(), "term"));
        return new ActionCounts(name(), l.id(), cc, mac * act.praTerms(), lanes, t, x, d);
    }
}
