package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.Workload;

import java.util.ArrayList;
import java.util.List;

/**
 * Combines action counts with the energy table and the DRAM roofline (HWMODEL.md 2.2-2.3). Energy is
 * only ever count x table entry, so every figure traces back to its actions.
 */
public final class CostModel {
    private CostModel() {
    }

    /**
     * Prices one layer's counts: energy matrix, roofline cycles with double-buffer overlap, utilisation.
     *
     * @throws IllegalStateException when the counts carry a "leakageCycle" action (this method adds it, from the
     *                               table's static power), or a derivation that does not give ccomp or cannot be
     *                               evaluated (an unknown name, a function), naming the accelerator and the layer
     * @throws IllegalArgumentException for an action whose unit the energy table does not price, naming the
     *                                  accelerator, the layer, the action and the units it has
     */
    public static LayerResult price(ActionCounts c, LayerSpec l, ArchSpec a, EnergyTable e) {
        for (Action x : c.actions())
            if (x.unit().equals("leakageCycle"))
                throw new IllegalStateException(c.accelerator() + " layer " + c.layerId() + ": action '" + x.name()
                    + "' has the unit leakageCycle, which CostModel adds itself from the table's static power; a "
                    + "model must not count it");
        if (!c.derivation().isEmpty()) {
            // the reports give the formula and its quantities as the trace of ccomp: it must give ccomp
            double d;
            try {
                d = c.derivation().ccomp();
            } catch (IllegalArgumentException ex) {
                throw new IllegalStateException(c.accelerator() + " layer " + c.layerId() + ": its derivation of ccomp "
                    + "cannot be evaluated: " + ex.getMessage(), ex);
            }
            if (!(Math.abs(d - c.ccomp()) <= 1e-9 * Math.max(1, c.ccomp())))
                throw new IllegalStateException(c.accelerator() + " layer " + c.layerId() + ": ccomp " + c.ccomp()
                    + " but its derivation " + c.derivation().ccompFormula() + " gives " + d + " ("
                    + c.derivation().quantitiesText() + ")");
        }
        double bw = a.knobs().dramBwBytesPerCycle();
        double cdram = c.tiling().dramBytes() / bw;
        double fill = (c.tiling().firstWTile() + c.tiling().firstITile()) / bw;
        // fix 31: the first tiles load before compute starts, then compute overlaps the remaining transfers:
        // fill + max(ccomp, (dram - first tiles) / BW). HWMODEL.md 2.2's max(ccomp, dram / BW) + fill counted the
        // first tiles' bytes twice on a DRAM-bound layer (once in dram / BW, once in fill).
        double cycles = Math.max(c.ccomp() + fill, cdram);
        List<Action> acts = c.actions();
        if (e.staticMw() > 0) {
            acts = new ArrayList<>(acts);
            acts.add(new Action(Action.Level.COMPUTE, Action.Data.OVERHEAD, "leakage cycles", cycles, "leakageCycle"));
            c = c.withActions(acts);
        }
        double[][] m = new double[Action.Level.values().length][Action.Data.values().length];
        double tot = 0;
        for (Action x : acts) {
            double unitPj;
            try {
                unitPj = x.unit().equals("leakageCycle") ? e.staticMw() : e.pj(x.unit());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(c.accelerator() + " layer " + c.layerId() + ", action '" + x.name()
                    + "': " + ex.getMessage(), ex);
            }
            double pj = x.count() * unitPj;
            m[x.level().ordinal()][x.data().ordinal()] += pj;
            tot += pj;
        }
        double util = cycles > 0 ? c.work() / (c.peakPerCycle() * cycles) : 0;
        return new LayerResult(l, c, m, tot, cycles, cdram, fill, c.ccomp() >= cdram ? "compute" : "dram", util);
    }

    /**
     * Counts and prices one layer on one accelerator.
     *
     * @throws IllegalStateException naming the accelerator and the layer when the model's counting fails (any runtime
     *                               exception of its own is the cause) or its counts are wrong (see above)
     */
    public static LayerResult price(AcceleratorModel acc, Workload.Entry x, ArchSpec a, EnergyTable e) {
        LayerSpec l = x.layer().withBatch(a.knobs().batch());
        ActionCounts c;
        try {
            c = acc.count(l, x.weights(), x.act(), a);
        } catch (IllegalStateException | IllegalArgumentException ex) {
            throw ex; // the tiling search's, or a model's own about its input, which name the layer
        } catch (RuntimeException ex) {
            // a defect of the model (one of the user's, say): say on which layer
            throw new IllegalStateException(acc.name() + " layer " + l.id() + ": counting failed: "
                + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : " \"" + ex.getMessage() + "\""), ex);
        }
        if (!acc.name().equals(c.accelerator()))
            throw new IllegalStateException(acc.name() + " layer " + l.id() + ": the model's counts are named '"
                + c.accelerator() + "'; an accelerator model names its ActionCounts with its own name()");
        return price(c, l, a, e);
    }

    /** Prices every layer the accelerator supports. */
    public static ModelResult price(AcceleratorModel acc, Workload w, ArchSpec a, EnergyTable e) {
        return price(acc, w, a, e, false);
    }

    /** Prices the layers the accelerator supports, only the {@code inBenchmark} ones if {@code benchmarkOnly}. */
    public static ModelResult price(AcceleratorModel acc, Workload w, ArchSpec a, EnergyTable e, boolean benchmarkOnly) {
        List<LayerResult> out = new ArrayList<>();
        for (Workload.Entry x : w.layers())
            if (acc.supports(x.layer()) && (!benchmarkOnly || x.layer().inBenchmark())) out.add(price(acc, x, a, e));
        return new ModelResult(w.name(), acc.name(), acc.workUnit(), out);
    }
}
