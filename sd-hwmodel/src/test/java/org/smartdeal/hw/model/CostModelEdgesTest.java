package org.smartdeal.hw.model;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CostModel} on counts set by hand (HWMODEL.md 2.2-2.3): the roofline {@code max(Ccomp + fill, DRAM/BW)} (fix 31),
 * the energy matrix as count x table entry, the leakage action, which side bounds a layer at a tie, the check of a
 * derivation at its tolerance and the benchmark filter. The bandwidth is 32 B/cycle so that every quotient below is
 * exact in binary.
 */
class CostModelEdgesTest {
    static final EnergyTable T = EnergyTable.paper28nm();
    static final ArchSpec A = ArchSpec.paper().withKnobs(ArchSpec.paper().knobs().withBw(32));
    static final LayerSpec L = LayerSpec.conv("l", LayerType.CONV, 4, 4, 3, 8, 8, 1, 1, 1);
    /** W 1,000 B, I 2,000, O 500, psum 60: 3,560 B, 111.25 cycles at 32 B/cycle; fill (256 + 512) / 32 = 24 cycles. */
    static final Tiling TL = new Tiling(1, 1, 1, 1, 1, "MCEF", 1000, 2000, 500, 60, 256, 512);

    static ActionCounts counts(double ccomp, Derivation d) {
        List<Action> acts = TL.dramActions();
        acts.add(new Action(Action.Level.COMPUTE, Action.Data.ARITH, "MACs", 100, "mac"));
        return new ActionCounts("test", "l", ccomp, 51_200, 1024, TL, acts, d);
    }

    /** The paper table with another leakage power (mW; at 1 GHz a cycle at 1 mW is 1 pJ). */
    static EnergyTable leaking(double mw) {
        return new EnergyTable(T.dramPjPer8Bit(), T.macPjPer8Bit(), T.multPjPer8Bit(), T.addPjPer8Bit(),
            T.sramPjPer8BitAt2KB(), T.sramPjPer8BitAt16KB(), T.rfPjPer8Bit(), T.bitSerialTermPj(), T.reShiftAddPj(),
            T.selectPj(), T.huffmanDecodePj(), T.crossbarPj(), mw);
    }

    /**
     * An SRAM action's unit key carries its bank size exactly (found by a bug hunt: an architecture's fractional bank,
     * 3000.7 bytes, was priced under sram3000 while its reports echoed 3000.7). The expected energies are
     * EnergyTable.sramPjPer8Bit's log2 interpolation at 3000.7 and 3000 bytes, which differ.
     */
    @Test
    void sramUnitKeysKeepTheBankSize() {
        assertEquals("sram2048", Counts.sram(2048), "whole sizes as before");
        assertEquals("sram3000.7", Counts.sram(3000.7));
        assertEquals(T.sramPjPer8Bit(3000.7), T.pj(Counts.sram(3000.7)), 0);
        assertTrue(T.sramPjPer8Bit(3000.7) != T.sramPjPer8Bit(3000), "the whole part would be priced otherwise");
    }

    @Test
    void dramBoundLayerIsPricedByHand() {
        LayerResult r = CostModel.price(counts(80, Derivation.NONE), L, A, T);
        assertEquals(3_560, r.dramBytes());
        assertEquals(111.25, r.cdram());
        assertEquals(24, r.fill());
        // max(80 + 24, 111.25): the first tiles (768 B) load before compute, the other 2,792 B (87.25 cycles) while
        // it runs, so the layer takes 24 + max(80, 87.25) = 111.25, the first tiles counted once (HWMODEL.md 2.2's
        // max(80, 111.25) + 24 = 135.25 counted them twice)
        assertEquals(111.25, r.cycles());
        assertEquals(r.fill() + Math.max(80, (3_560 - 768) / 32.0), r.cycles());
        assertEquals("dram", r.boundBy());
        // 51,200 MACs / (1,024 per cycle x 111.25 cycles)
        assertEquals(51_200 / (1024 * 111.25), r.utilisation(), 1e-15);
        // each cell is count x table entry: DRAM W 1,000 x 100 pJ, I 2,000 x 100, O (500 + 60) x 100; 100 MACs x 0.143
        double[][] m = r.energyPj();
        assertEquals(100_000, m[Action.Level.DRAM.ordinal()][Action.Data.W.ordinal()], 1e-9);
        assertEquals(200_000, m[Action.Level.DRAM.ordinal()][Action.Data.I.ordinal()], 1e-9);
        assertEquals(56_000, m[Action.Level.DRAM.ordinal()][Action.Data.O.ordinal()], 1e-9);
        assertEquals(14.3, m[Action.Level.COMPUTE.ordinal()][Action.Data.ARITH.ordinal()], 1e-9);
        assertEquals(356_014.3, r.totalPj(), 1e-6);
        assertEquals(0, r.levelPj(Action.Level.SRAM) + r.levelPj(Action.Level.RF));
        // no leakage (staticMw 0 in the paper table): the counts are the model's own five actions
        assertEquals(5, r.counts().actions().size());
    }

    @Test
    void computeBoundLayerAndTheTieGoesToCompute() {
        LayerResult c = CostModel.price(counts(200, Derivation.NONE), L, A, T);
        // 200 + 24 fill
        assertEquals(224, c.cycles());
        assertEquals("compute", c.boundBy());
        // boundBy names the busier resource. Ccomp equal to DRAM/BW: the layer is reported compute-bound
        // (ccomp >= cdram), and takes 111.25 + 24 fill cycles
        LayerResult tie = CostModel.price(counts(111.25, Derivation.NONE), L, A, T);
        assertEquals(135.25, tie.cycles());
        assertEquals("compute", tie.boundBy());
        LayerResult below = CostModel.price(counts(Math.nextDown(111.25), Derivation.NONE), L, A, T);
        assertEquals("dram", below.boundBy());
        // DRAM busier than compute (100 < 111.25) yet the fill keeps compute on the critical path: 100 + 24
        LayerResult fillBound = CostModel.price(counts(100, Derivation.NONE), L, A, T);
        assertEquals("dram", fillBound.boundBy());
        assertEquals(124, fillBound.cycles());
    }

    @Test
    void leakageIsOneActionOfTheLayersCyclesAtStaticPower() {
        LayerResult r = CostModel.price(counts(80, Derivation.NONE), L, A, leaking(2));
        // 111.25 cycles (DRAM-bound, as above) x 2 mW at 1 GHz = 222.5 pJ, in the compute-overhead cell
        assertEquals(6, r.counts().actions().size());
        assertEquals(111.25, r.counts().count("leakage cycles"));
        assertEquals(222.5, r.energyPj()[Action.Level.COMPUTE.ordinal()][Action.Data.OVERHEAD.ordinal()], 1e-12);
        assertEquals(356_014.3 + 222.5, r.totalPj(), 1e-6);
    }

    @Test
    void aLayerWithNoWorkAndNoTrafficHasZeroUtilisationNotNaN() {
        Tiling none = new Tiling(1, 1, 1, 1, 1, "MCEF", 0, 0, 0, 0, 0, 0);
        ActionCounts c = new ActionCounts("test", "l", 0, 0, 1024, none, none.dramActions());
        LayerResult r = CostModel.price(c, L, A, T);
        assertEquals(0, r.cycles());
        assertEquals(0, r.utilisation());
        assertEquals(0, r.totalPj());
    }

    @Test
    void aDerivationIsAcceptedWithinOnePartInTenToTheNineOfMaxOfOneAndCcomp() {
        // ccomp 10^6: tolerance 10^-3 (relative); 10^6 + 5e-4 passes, 10^6 + 2e-3 is refused
        assertEquals(1e6, CostModel.price(counts(1e6, Derivation.of("x", "x", 1e6 + 5e-4)), L, A, T).counts().ccomp());
        IllegalStateException big = assertThrows(IllegalStateException.class,
            () -> CostModel.price(counts(1e6, Derivation.of("x", "x", 1e6 + 2e-3)), L, A, T));
        assertEquals("test layer l: ccomp 1000000.0 but its derivation x gives 1000000.002 (x=1000000.002)", big.getMessage());
        // ccomp 0.5: tolerance 10^-9 (absolute, max(1, 0.5)); 0.5 + 8e-10 passes (it would not at 0.5 x 10^-9)
        assertEquals(0.5, CostModel.price(counts(0.5, Derivation.of("x", "x", 0.5 + 8e-10)), L, A, T).counts().ccomp());
        assertThrows(IllegalStateException.class, () -> CostModel.price(counts(0.5, Derivation.of("x", "x", 0.5 + 2e-9)), L, A, T));
        // ccomp 0: a derivation giving exactly 10^-9 is accepted (|d - ccomp| <= 10^-9)
        assertEquals(0, CostModel.price(counts(0, Derivation.of("x", "x", 1e-9)), L, A, T).counts().ccomp());
        // below too, and a formula that gives NaN is refused
        assertThrows(IllegalStateException.class, () -> CostModel.price(counts(0.5, Derivation.of("x", "x", 0.5 - 2e-9)), L, A, T));
        assertThrows(IllegalStateException.class, () -> CostModel.price(counts(0, Derivation.of("x / x", "x", 0)), L, A, T));
    }

    @Test
    void benchmarkOnlySkipsTheLayersOutsideTheTotalsAndUnsupportedLayersAreLeftOut() {
        LayerSpec fc = LayerSpec.fc("fc", LayerType.FC, 10, 64, false);
        Workload w = new Workload("two", List.of(new Workload.Entry(L, WeightRep.dense(L), ModelFixesTest.ACT),
            new Workload.Entry(fc, WeightRep.dense(fc), ModelFixesTest.ACT)), "");
        assertEquals(List.of("l", "fc"), ids(CostModel.price(new DianNao(), w, A, T)));
        assertEquals(List.of("l", "fc"), ids(CostModel.price(new DianNao(), w, A, T, false)));
        assertEquals(List.of("l"), ids(CostModel.price(new DianNao(), w, A, T, true)));
        // SCNN prices no FC layer
        assertEquals(List.of("l"), ids(CostModel.price(new Scnn(), w, A, T, false)));
        ModelResult r = CostModel.price(new DianNao(), w, A, T);
        assertEquals("two", r.model());
        assertEquals("diannao", r.accelerator());
    }

    @Test
    void aWorkloadLayerIsPricedAtTheArchitecturesBatch() {
        ArchSpec b4 = A.withKnobs(A.knobs().withBatch(4));
        LayerResult r = CostModel.price(new DianNao(), new Workload.Entry(L, WeightRep.dense(L), ModelFixesTest.ACT), b4, T);
        assertEquals(4, r.layer().batch());
        assertTrue(r.counts().work() == 4 * L.macs(), "work " + r.counts().work() + " for 4 x " + L.macs() + " MACs");
    }

    /**
     * What a model of the user's must not do is refused, naming the model, the layer and the action: counts named
     * after another model (a delegate's, not renamed), a leakage action of its own (CostModel adds leakage from the
     * table; a second one would count it twice), a unit the energy table does not price.
     */
    @Test
    void aModelsMistakesAreNamedNotPricedSilently() {
        AcceleratorModel delegate = new AcceleratorModel() {
            @Override public String name() { return "dn-copy"; }
            @Override public String workUnit() { return "MAC"; }
            @Override public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec a) {
                return new DianNao().count(l, w, act, a);
            }
        };
        Workload.Entry x = new Workload.Entry(L, WeightRep.dense(L), ModelFixesTest.ACT);
        IllegalStateException named = assertThrows(IllegalStateException.class, () -> CostModel.price(delegate, x, A, T));
        assertEquals("dn-copy layer l: the model's counts are named 'diannao'; an accelerator model names its "
            + "ActionCounts with its own name()", named.getMessage());
        ActionCounts renamed = new DianNao().count(L.withBatch(1), WeightRep.dense(L), ModelFixesTest.ACT, A)
            .withAccelerator("dn-copy");
        assertEquals("dn-copy", CostModel.price(renamed, L, A, T).counts().accelerator());

        // a derivation that cannot be evaluated, and a model that fails while counting (a defect of its own), are
        // named with the accelerator and the layer, the failure as the cause
        IllegalStateException formula = assertThrows(IllegalStateException.class,
            () -> CostModel.price(counts(100, Derivation.of("ceil(x)", "x", 100)), L, A, T));
        assertTrue(formula.getMessage().startsWith("test layer l: its derivation of ccomp cannot be evaluated: "
            + "Derivation formula \"ceil(x)\" at 4: unknown quantity 'ceil'"), formula.getMessage());
        assertTrue(formula.getCause() instanceof IllegalArgumentException);
        AcceleratorModel broken = new AcceleratorModel() {
            @Override public String name() { return "broken"; }
            @Override public String workUnit() { return "MAC"; }
            @Override public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec a) {
                throw new ArithmeticException("/ by zero");
            }
        };
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> CostModel.price(broken, x, A, T));
        assertEquals("broken layer l: counting failed: ArithmeticException \"/ by zero\"", failed.getMessage());
        assertTrue(failed.getCause() instanceof ArithmeticException);

        List<Action> leak = TL.dramActions();
        leak.add(new Action(Action.Level.COMPUTE, Action.Data.OVERHEAD, "my leakage", 10, "leakageCycle"));
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> CostModel.price(
            new ActionCounts("test", "l", 80, 51_200, 1024, TL, leak), L, A, leaking(2)));
        assertTrue(twice.getMessage().startsWith("test layer l: action 'my leakage' has the unit leakageCycle, which "
            + "CostModel adds itself"), twice.getMessage());

        List<Action> odd = TL.dramActions();
        odd.add(new Action(Action.Level.COMPUTE, Action.Data.ARITH, "MACs", 100, "mac8"));
        IllegalArgumentException unit = assertThrows(IllegalArgumentException.class, () -> CostModel.price(
            new ActionCounts("test", "l", 80, 51_200, 1024, TL, odd), L, A, T));
        assertTrue(unit.getMessage().startsWith("test layer l, action 'MACs': EnergyTable: unknown unit key 'mac8' "
            + "(the keys: dram, mac, "), unit.getMessage());
    }

    static List<String> ids(ModelResult r) {
        return r.layers().stream().map(x -> x.layer().id()).toList();
    }
}
