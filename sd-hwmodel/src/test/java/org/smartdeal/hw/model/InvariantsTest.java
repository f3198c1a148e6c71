package org.smartdeal.hw.model;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The invariants of HWMODEL.md 4.1, numbered as there. */
class InvariantsTest {
    static final ArchSpec A = ArchSpec.paper();
    static final EnergyTable T = EnergyTable.paper28nm();
    static final LayerSpec EVEN = LayerSpec.conv("even", LayerType.CONV, 128, 64, 3, 16, 16, 1, 1, 1);
    static final ActStats ACT = ActStats.fitted(1.616, 1.36, 0.2, 8, 16);

    static List<Workload.Entry> sample() {
        Workload w = PaperModels.workload("mobilenetv2", A.knobs(), A);
        return w.layers().subList(0, 12);
    }

    /**
     * Invariants 1 and 2 and the bandwidth part of 5, on every model (the generic ones: {@link ModelChecks}, which
     * {@code ModelChecksTest} shows failing on broken models): breakdown sums to the total, energy >= 100 pJ per DRAM
     * byte (Table I), cycles >= DRAM/BW, ccomp >= work / peak, doubling BW never adds cycles; at batch 1 and 16.
     */
    @Test
    void inv1Inv2AndBandwidthMonotonicityOnEveryModel() {
        assertEquals(100, T.pj("dram"), 0, "Table I: DRAM 100 pJ per 8 bits");
        Workload w = new Workload("mobilenetv2-first12", sample(), "test");
        for (ArchSpec a : List.of(A, A.withKnobs(A.knobs().withBatch(16))))
            for (AcceleratorModel acc : AcceleratorModel.all())
                assertEquals(List.of(), ModelChecks.violations(acc, w, a, T), acc.name() + " batch " + a.knobs().batch());
    }

    @Test
    void inv3EquivalenceCases() {
        WeightRep dense = WeightRep.dense(EVEN);
        double dn = new DianNao().count(EVEN, dense, ACT, A).ccomp();
        ActStats eightBits = new ActStats(1, 8, 4, 0, 4, 8, 8, 1, null);
        assertEquals(dn, new BitPragmatic().count(EVEN, dense, eightBits, A).ccomp(), 0.01 * dn, "PRA at tPRA=8 vs DianNao");
        assertEquals(dn, new CambriconX().count(EVEN, dense, ACT, A).ccomp(), 1e-9, "CX with full nnzW vs DianNao");
    }

    @Test
    void inv4DenseModelOnSmartDeal() {
        WeightRep dense = WeightRep.dense(EVEN);
        ActStats worst = ActStats.worstCase();
        LayerResult dn = CostModel.price(new DianNao().count(EVEN, dense, worst, A), EVEN, A, T);
        LayerResult sd = CostModel.price(new SmartDealAccel().count(EVEN, dense, worst, A), EVEN, A, T);
        double ratio = sd.dramBytes() / dn.dramBytes();
        assertTrue(ratio >= 0.9 && ratio <= 1.1, "DRAM ratio " + ratio);
        assertTrue(dn.cycles() / sd.cycles() <= 2.0 + 1e-12, "speedup " + dn.cycles() / sd.cycles());
        assertTrue(dn.totalPj() / sd.totalPj() <= dn.totalPj() / dn.levelPj(Action.Level.DRAM), "EE gain bounded by on-chip share");
        LayerResult sdReal = CostModel.price(new SmartDealAccel().count(EVEN, dense, ACT, A), EVEN, A, T);
        // HWMODEL.md says 8/tSD; skipped zero rows add a factor 1/(1-rowZero) (fix documented in HWMODEL-RESULTS.md)
        double bound = 8 / (ACT.tSD() * (1 - ACT.rowZero()));
        assertTrue(dn.counts().ccomp() / sdReal.counts().ccomp() <= bound + 1e-9, "compute speedup <= 8/(tSD(1-rowZero))");
    }

    @Test
    void inv5Monotonicity() {
        LayerSpec l = EVEN;
        WeightRep w1 = WeightRep.syntheticSd(l, 0.6, 0.4, 2.3, WeightRep.IdxMode.VECTOR_ELEM, 192, 7);
        WeightRep w2 = zeroMoreVectors(l, w1);
        SmartDealAccel sd = new SmartDealAccel();
        LayerResult r1 = CostModel.price(sd.count(l, w1, ACT, A), l, A, T), r2 = CostModel.price(sd.count(l, w2, ACT, A), l, A, T);
        assertTrue(r2.totalPj() <= r1.totalPj() && r2.dramBytes() <= r1.dramBytes() && r2.cycles() <= r1.cycles(),
            "zeroing C_e vectors: " + r1.totalPj() + " -> " + r2.totalPj());
        ActStats lo = ActStats.iid(0.3, 8, 0, 0.3, 8, 16), hi = ActStats.iid(0.6, 8, 0, 0.3, 8, 16);
        for (AcceleratorModel acc : List.of(new Scnn(), sd, new BitPragmatic()))
            assertTrue(acc.count(l, w1, hi, A).ccomp() >= acc.count(l, w1, lo, A).ccomp(), acc.name() + " cycles vs dA");
        // doubling BW never raises cycles: inv1Inv2AndBandwidthMonotonicityOnEveryModel, and here on the SD weights
        Workload sdLayer = new Workload("even-sd", List.of(new Workload.Entry(l, w1, ACT)), "test");
        for (AcceleratorModel acc : AcceleratorModel.all())
            assertEquals(List.of(), ModelChecks.violations(acc, sdLayer, A, T), acc.name());
    }

    static WeightRep zeroMoreVectors(LayerSpec l, WeightRep w) {
        short[] nz = w.nnzW().clone(), mk = w.rowMask().clone();
        for (int k = 0; k < nz.length; k += 3) { nz[k] = 0; mk[k] = 0; }
        double keep = 0, all = 0;
        for (int k = 0; k < nz.length; k++) { keep += Integer.bitCount(mk[k]); all += Integer.bitCount(w.rowMask()[k]); }
        double f = keep / all;
        return new WeightRep(WeightRep.Kind.SD, nz, mk, w.n(), w.ceNnz() * f, w.ceBytes() * f, w.bBytes(), w.numB());
    }

    @Test
    void inv6TilingSanity() {
        LayerSpec l = LayerSpec.conv("small", LayerType.CONV, 32, 16, 3, 14, 14, 1, 1, 1);
        Tiling t = TilingSearch.search(l, 1, 1, 1, 0, A);
        assertEquals(l.wSize() + l.iSize() + l.oSize(), t.dramBytes(), 1e-9, "everything fits: stored sizes exactly");
        double prev = 0;
        for (double cap : new double[] {1 << 20, 1 << 14, 1 << 12, 1 << 10}) {
            double d = TilingSearch.search(l, 1, 1, 1, 0, A.withBuffers(cap, 1 << 20, 4096)).dramBytes();
            assertTrue(d >= prev, "shrinking CapI to " + cap + " lowered traffic " + prev + " -> " + d);
            prev = d;
        }
    }

    @Test
    @SuppressWarnings("unchecked") // Specs.toMap gives the nested knobs as a Map<String, Object>
    void inv7PeakThroughputOfOriginalConfigs() {
        Map<String, Object> m = Specs.toMap(A);
        m.put("dnTn", 16.0); m.put("dnTi", 16.0); m.put("cxPes", 16.0); m.put("cxMacsPerPe", 16.0);
        m.replaceAll((k, v) -> v instanceof Integer i ? (Object) i.doubleValue() : v);
        ((Map<String, Object>) m.get("knobs")).replaceAll((k, v) -> v instanceof Integer i ? (Object) i.doubleValue() : v);
        ArchSpec orig = Specs.bind(ArchSpec.class, m, "test");
        LayerSpec l = LayerSpec.conv("peak", LayerType.CONV, 64, 64, 3, 16, 16, 1, 1, 1);
        double dnGops = 2 * l.macs() / new DianNao().count(l, WeightRep.dense(l), ACT, orig).ccomp() * 0.98;
        assertEquals(452, dnGops, 0.15 * 452, "DianNao 452 GOP/s [S:DN]");
        double cxGops = 2 * l.macs() / new CambriconX().count(l, WeightRep.dense(l), ACT, orig).ccomp();
        assertEquals(544, cxGops, 0.15 * 544, "Cambricon-X 544 GOP/s [S:CX]");
    }
}
