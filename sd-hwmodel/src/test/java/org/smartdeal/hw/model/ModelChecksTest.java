package org.smartdeal.hw.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;

/**
 * {@link ModelChecks}: the shipped models keep every rule (InvariantsTest runs them on a larger sample), and a model
 * broken in each of the ways a model of one's own can be is reported with the rule and the numbers.
 */
class ModelChecksTest {
    static final ArchSpec A = ArchSpec.paper();
    static final EnergyTable T = EnergyTable.paper28nm();
    /** 64 x 32 x 3 x 3 on 16 x 16: 4,718,592 MACs (hand: 64 x 32 x 9 x 256). */
    static final LayerSpec L = LayerSpec.conv("c", LayerType.CONV, 64, 32, 3, 16, 16, 1, 1, 1);
    static final Workload W = new Workload("one", List.of(new Workload.Entry(L, WeightRep.dense(L),
            ActStats.fitted(1.616, 1.36, 0.2, 8, 16))), "test");

    /** A dense 1024-MAC array as EXTENDING.md 2 writes it, with its counts and actions open to change. */
    record Array(String name, BiFunction<LayerSpec, ArchSpec, Double> ccomp, boolean chargeDram, double extraCount,
            double workScale) implements AcceleratorModel {
        Array(String name, BiFunction<LayerSpec, ArchSpec, Double> ccomp, boolean chargeDram, double extraCount) {
            this(name, ccomp, chargeDram, extraCount, 1);
        }

        @Override
        public String workUnit() {
            return "MAC";
        }

        @Override
        public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec a) {
            double mac = l.macs() * workScale;
            Tiling t = TilingSearch.search(l, 1, 1, 1, 0, a);
            List<Action> x = chargeDram ? t.dramActions() : new java.util.ArrayList<>();
            if (mac == mac) { // a NaN work has no MAC action (Action refuses NaN)
                x.add(new Action(Action.Level.COMPUTE, Action.Data.ARITH, "MACs", mac, "mac"));
            }
            x.add(new Action(Action.Level.COMPUTE, Action.Data.OVERHEAD, "extra", extraCount, "add"));
            return new ActionCounts(name, l.id(), ccomp.apply(l, a), mac, 1024, t, x);
        }
    }

    static Array sound() {
        return new Array("sound", (l, a) -> Math.ceil(l.macs() / 1024), true, 0);
    }

    @Test
    void theShippedModelsAndASoundOneKeepEveryRule() {
        assertEquals(4_718_592, L.macs(), 0);
        for (AcceleratorModel acc : AcceleratorModel.all()) {
            assertEquals(List.of(), ModelChecks.violations(acc, W, A, T), acc.name());
        }
        assertEquals(List.of(), ModelChecks.violations(sound(), W, A, T));
    }

    /**
     * Zero is a count, not a violation: a layer of no work and no compute cycles whose only energy is its DRAM traffic
     * keeps every rule, at the bounds (ccomp 0 = work / peak; energy = DRAM bytes x 100 pJ exactly).
     */
    @Test
    void aModelOfNoWorkKeepsEveryRuleAtItsBounds() {
        Array idle = new Array("idle", (l, a) -> 0.0, true, 0, 0);
        assertEquals(List.of(), ModelChecks.violations(idle, W, A, T));
        LayerResult r = CostModel.price(idle, W.layers().get(0), A, T);
        assertEquals(43_008 * 100.0, r.totalPj(), 0, "DRAM energy alone");
    }

    @Test
    void aWorkThatIsNotANumberIsReportedAlone() {
        // one line: the bounds that compare against the work are not compared (they would fail too)
        assertEquals(List.of("nanwork layer c: work must be finite and >= 0, got NaN"),
                ModelChecks.violations(new Array("nanwork", (l, a) -> 1.0, true, 0, Double.NaN), W, A, T));
    }

    @Test
    void aModelFasterThanItsPeakIsReported() {
        // half the cycles 1024 MACs per cycle allow: 2,304 against 4,608 = 4,718,592 / 1024
        Array fast = new Array("fast", (l, a) -> Math.ceil(l.macs() / 2048), true, 0);
        assertEquals(List.of("fast layer c: ccomp 2304.0 cycles, fewer than work / peakPerCycle = 4718592.0 / 1024.0 "
                + "= 4608.0"), ModelChecks.violations(fast, W, A, T));
    }

    @Test
    void aModelThatChargesNoDramIsReported() {
        List<String> v = ModelChecks.violations(new Array("nodram", sound().ccomp(), false, 0), W, A, T);
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).startsWith("nodram layer c: total energy ") && v.get(0).contains(" pJ is below DRAM's "
                + "alone, "), v.get(0));
        // the DRAM bytes are the tiling's: W, I and O each move once, 18,432 + 8,192 + 16,384 bytes, x 100 pJ (Table I)
        assertTrue(v.get(0).contains("43008.0 bytes x 100.0 pJ = 4300800.0 pJ"), v.get(0));
    }

    @Test
    void aCountThatIsNotANumberIsReportedAndTheBoundsAreNotCompared() {
        // infinite compute cycles: one line, not also "doubling the bandwidth" (Infinity <= Infinity holds anyway)
        Array endless = new Array("endless", (l, a) -> Double.POSITIVE_INFINITY, true, 0);
        assertEquals(List.of("endless layer c: ccomp must be finite and >= 0, got Infinity"),
                ModelChecks.violations(endless, W, A, T));
        // an action's NaN count is refused by Action itself, inside count(): reported as a failed pricing
        List<String> v = ModelChecks.violations(new Array("nan", sound().ccomp(), true, Double.NaN), W, A, T);
        assertEquals(List.of("nan layer c: pricing failed: java.lang.IllegalArgumentException: Action(extra).count "
                + "must be finite and >= 0, got NaN"), v);
    }

    @Test
    void cyclesThatGrowWithTheBandwidthAreReported() {
        // compute cycles proportional to the bandwidth: twice the bandwidth, twice the cycles
        Array odd = new Array("odd", (l, a) -> Math.ceil(l.macs() / 1024) * a.knobs().dramBwBytesPerCycle(), true, 0);
        List<String> v = ModelChecks.violations(odd, W, A, T);
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).startsWith("odd layer c: doubling the DRAM bandwidth to 51.2 bytes per cycle raises the "
                + "cycles from "), v.get(0));
    }

    @Test
    void aModelThatThrowsIsReportedNotPropagated() {
        Array broken = new Array("broken", (l, a) -> {
            throw new IllegalStateException("no mapping for " + l.id());
        }, true, 0);
        assertEquals(List.of("broken layer c: pricing failed: java.lang.IllegalStateException: no mapping for c"),
                ModelChecks.violations(broken, W, A, T));
    }
}
