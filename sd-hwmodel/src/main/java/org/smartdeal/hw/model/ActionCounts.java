package org.smartdeal.hw.model;

import java.util.List;

/**
 * The explicit intermediate of the cost model: everything one accelerator does for one layer,
 * before any energy is applied (HWMODEL.md 2-3).
 *
 * @param accelerator  accelerator name
 * @param layerId      layer name
 * @param ccomp        compute cycles (no memory stalls)
 * @param work         effectual operations (MACs, products or bit-serial terms)
 * @param peakPerCycle peak effectual operations per cycle (1024 MACs or 8192 terms)
 * @param tiling       chosen tiling and per-tensor DRAM bytes
 * @param actions      every counted action, each priced by one energy-table entry
 * @param derivation   how {@code ccomp} follows from named intermediate quantities ({@link Derivation#NONE} when the
 *                     model gives none; {@link CostModel} checks a given one)
 */
public record ActionCounts(String accelerator, String layerId, double ccomp, double work, double peakPerCycle,
                           Tiling tiling, List<Action> actions, Derivation derivation) {

    /** Validates counts. */
    public ActionCounts {
        if (!(ccomp >= 0)) throw new IllegalArgumentException("ActionCounts(" + accelerator + "," + layerId + ").ccomp must be >= 0, got " + ccomp);
        if (!(peakPerCycle > 0)) throw new IllegalArgumentException("ActionCounts.peakPerCycle must be > 0, got " + peakPerCycle);
        actions = List.copyOf(actions);
        if (derivation == null) derivation = Derivation.NONE;
    }

    /** Counts without a derivation of ccomp ({@link Derivation#NONE}). */
    public ActionCounts(String accelerator, String layerId, double ccomp, double work, double peakPerCycle,
                        Tiling tiling, List<Action> actions) {
        this(accelerator, layerId, ccomp, work, peakPerCycle, tiling, actions, Derivation.NONE);
    }

    /**
     * The same counts under another model's name: a model that delegates to another (DianNao at another rate, say)
     * names its counts with its own {@code name()}, which {@link CostModel} checks.
     */
    public ActionCounts withAccelerator(String name) {
        return new ActionCounts(name, layerId, ccomp, work, peakPerCycle, tiling, actions, derivation);
    }

    /** The same counts with other actions (the leakage action added by {@link CostModel}, for example). */
    public ActionCounts withActions(List<Action> other) {
        return new ActionCounts(accelerator, layerId, ccomp, work, peakPerCycle, tiling, other, derivation);
    }

    /** Sum of the counts of all actions with this name (0 if none). */
    public double count(String name) {
        double t = 0;
        for (Action a : actions) if (a.name().equals(name)) t += a.count();
        return t;
    }
}
