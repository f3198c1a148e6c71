package org.smartdeal.hw.model;

import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.WeightRep;

import java.util.List;

/** One accelerator's analytical model: layer, weights and activation statistics in, action counts out. */
public interface AcceleratorModel {

    /** Short lower-case name used in reports, e.g. {@code smartdeal}. */
    String name();

    /**
     * What {@link ActionCounts#work()} and {@link ActionCounts#peakPerCycle()} count on this accelerator, e.g.
     * {@code MAC} or {@code Booth term} (reports write it next to the work).
     */
    String workUnit();

    /** Whether this accelerator runs the layer type at all (SCNN has no FC model [P]). */
    default boolean supports(LayerSpec layer) {
        return true;
    }

    /**
     * Counts every action for one layer. {@code w} is the network's executed weights (SD form or
     * dense); baselines take what {@code arch.knobs().baselineWeights()} prescribes.
     */
    ActionCounts count(LayerSpec layer, WeightRep w, ActStats act, ArchSpec arch);

    /**
     * The five accelerators of the paper's Figs. 8-10, DianNao first (the normalisation base). A model of your own
     * needs no entry here: price it with {@code EnergyReport.price} or {@link CostModel#price}, or register it on the
     * class path ({@link AcceleratorRegistry}) for {@code smartdeal energy --accelerators NAME}.
     */
    static List<AcceleratorModel> all() {
        return List.of(new DianNao(), new CambriconX(), new Scnn(), new BitPragmatic(), new SmartDealAccel());
    }
}
