package org.smartdeal.hw.model;

import java.util.ArrayList;
import java.util.List;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Workload;

/**
 * The invariants of HWMODEL.md 4.1 that every accelerator model must keep, whatever its dataflow, as a check to run
 * on a model of one's own (docs/EXTENDING.md 2); the project's {@code InvariantsTest} runs it on every model of
 * {@link AcceleratorModel#all()}. Per layer the model supports:
 *
 * <ol>
 *   <li>its counts are finite and not negative: {@code ccomp}, {@code work}, {@code peakPerCycle > 0}, the tiling's
 *       DRAM bytes (an {@link Action} refuses a bad count itself, and pricing that throws is reported);</li>
 *   <li>the energy matrix sums to the total (relative 1e-9), and the total is at least the DRAM unit energy times the
 *       DRAM bytes (a model that forgets to charge its tiling's DRAM traffic fails here);</li>
 *   <li>{@code cycles >= DRAM bytes / bandwidth} (this and the sum hold by {@link CostModel}'s construction: they
 *       guard it);</li>
 *   <li>{@code ccomp >= work / peakPerCycle}: no layer runs faster than the model's own peak;</li>
 *   <li>doubling the DRAM bandwidth never adds cycles.</li>
 * </ol>
 *
 * <p>It does not check what only the model's own loop nest can tell (its cycle counts against a hand calculation or
 * an enumeration, as {@code HandCalcTest} and {@code BruteForceCountsTest} do for the shipped models).
 *
 * <pre>
 * assertEquals(List.of(), ModelChecks.violations(new MyAccel(), PaperModels.workload("resnet50", knobs, arch),
 *         arch, EnergyTable.paper28nm()));
 * </pre>
 */
public final class ModelChecks {

    /** Relative tolerance of the energy sum and of the bounds (rounding of sums over many actions). */
    static final double REL = 1e-9;

    private ModelChecks() {
    }

    /**
     * Checks every layer of the workload that the model supports.
     *
     * @param acc      the model
     * @param workload the layers, e.g. {@code PaperModels.workload(name, arch.knobs(), arch)}
     * @param arch     the architecture (its knobs give the batch and the bandwidth)
     * @param table    the energy table
     * @return one line per broken rule, naming the accelerator, the layer, the rule and the numbers; empty when the
     *     model keeps every rule on every layer
     */
    public static List<String> violations(AcceleratorModel acc, Workload workload, ArchSpec arch, EnergyTable table) {
        List<String> out = new ArrayList<>();
        ArchSpec faster = arch.withKnobs(arch.knobs().withBw(2 * arch.knobs().dramBwBytesPerCycle()));
        for (Workload.Entry x : workload.layers()) {
            if (!acc.supports(x.layer())) {
                continue;
            }
            String where = acc.name() + " layer " + x.layer().id() + ": ";
            LayerResult r;
            try {
                r = CostModel.price(acc, x, arch, table);
            } catch (RuntimeException e) {
                out.add(where + "pricing failed: " + e);
                continue;
            }
            if (!counts(where, r.counts(), out)) {
                continue; // the bounds below would compare non-numbers
            }
            double sum = 0;
            for (double[] row : r.energyPj()) {
                for (double v : row) {
                    sum += v;
                }
            }
            if (!(Math.abs(sum - r.totalPj()) <= REL * Math.abs(r.totalPj()))) {
                out.add(where + "the energy matrix sums to " + sum + " pJ, not the total " + r.totalPj() + " pJ");
            }
            double dramPj = table.pj("dram") * r.dramBytes();
            if (!(r.totalPj() >= dramPj * (1 - REL))) {
                out.add(where + "total energy " + r.totalPj() + " pJ is below DRAM's alone, " + r.dramBytes()
                        + " bytes x " + table.pj("dram") + " pJ = " + dramPj + " pJ");
            }
            double bw = arch.knobs().dramBwBytesPerCycle();
            if (!(r.cycles() >= r.dramBytes() / bw * (1 - REL))) {
                out.add(where + r.cycles() + " cycles, fewer than DRAM bytes / bandwidth = " + r.dramBytes() + " / "
                        + bw + " = " + r.dramBytes() / bw);
            }
            ActionCounts c = r.counts();
            if (!(c.ccomp() >= c.work() / c.peakPerCycle() * (1 - REL))) {
                out.add(where + "ccomp " + c.ccomp() + " cycles, fewer than work / peakPerCycle = " + c.work() + " / "
                        + c.peakPerCycle() + " = " + c.work() / c.peakPerCycle());
            }
            double fasterCycles = CostModel.price(acc, x, faster, table).cycles();
            if (!(fasterCycles <= r.cycles() * (1 + REL))) {
                out.add(where + "doubling the DRAM bandwidth to " + 2 * bw + " bytes per cycle raises the cycles from "
                        + r.cycles() + " to " + fasterCycles);
            }
        }
        return out;
    }

    /** Rule 1; false when a count is not a number the bounds can use. */
    private static boolean counts(String where, ActionCounts c, List<String> out) {
        int before = out.size();
        requireCount(where, "ccomp", c.ccomp(), out);
        requireCount(where, "work", c.work(), out);
        if (!(c.peakPerCycle() > 0 && Double.isFinite(c.peakPerCycle()))) {
            out.add(where + "peakPerCycle must be finite and > 0, got " + c.peakPerCycle());
        }
        requireCount(where, "DRAM bytes", c.tiling().dramBytes(), out);
        return out.size() == before; // (an Action refuses a count that is negative or not finite itself)
    }

    private static void requireCount(String where, String what, double v, List<String> out) {
        if (!(v >= 0 && Double.isFinite(v))) {
            out.add(where + what + " must be finite and >= 0, got " + v);
        }
    }
}
