package org.smartdeal.hw.report;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.model.AcceleratorModel;
import org.smartdeal.hw.model.ActionCounts;
import org.smartdeal.hw.model.CostModel;
import org.smartdeal.hw.model.DianNao;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The words of {@link Reports} that say what totals cover, and the per-layer JSON's derivation, on hand-made workloads. */
class ReportsEdgesTest {

    private static LayerSpec fc(String id, LayerType type, boolean in) {
        return LayerSpec.fc(id, type, 4, 8, in);
    }

    private static Workload workload(LayerSpec... layers) {
        List<Workload.Entry> e = new ArrayList<>();
        for (LayerSpec l : layers)
            e.add(new Workload.Entry(l, WeightRep.dense(l), ActStats.iid(0.5, 20, 0, 0.5, 8, 16)));
        return new Workload("w", e, "hand-made");
    }

    @Test
    void describeNamesAtMostThreeLayersPerType() {
        assertEquals("3 FC (a, b, c)", Reports.describe(List.of(fc("a", LayerType.FC, false), fc("b", LayerType.FC, false),
            fc("c", LayerType.FC, false))));
        assertEquals("4 FC (a, b, c, ...), 2 SE_FC (squeeze-and-excitation FC) (s1, s2)", Reports.describe(List.of(
            fc("a", LayerType.FC, false), fc("s1", LayerType.SE_FC, false), fc("b", LayerType.FC, false),
            fc("c", LayerType.FC, false), fc("s2", LayerType.SE_FC, false), fc("d", LayerType.FC, false))));
    }

    @Test
    void theBenchmarkScopeCountsTheLayersInTheTotalsAndNamesTheOthers() {
        LayerSpec conv = LayerSpec.conv("c1", LayerType.CONV, 4, 2, 3, 6, 6, 1, 1, 1);
        assertEquals("sums over the 2 of 2 layers with inBenchmark = true (every layer, the classifier included)",
            Reports.benchmarkScope(workload(conv, fc("fc", LayerType.FC, true))));
        assertEquals("sums over the 1 of 3 layers with inBenchmark = true; outside the totals: 1 SE_FC (squeeze-and-excitation "
            + "FC) (se), 1 FC (fc)", Reports.benchmarkScope(workload(conv, fc("se", LayerType.SE_FC, false), fc("fc", LayerType.FC, false))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theLayerJsonGivesTheComputeFormulaWhereTheModelStatesOne() {
        ArchSpec a = ArchSpec.paper();
        EnergyTable e = EnergyTable.paper28nm();
        Workload w = workload(LayerSpec.conv("c1", LayerType.CONV, 4, 2, 3, 6, 6, 1, 1, 1));
        AcceleratorModel dn = new DianNao();
        AcceleratorModel plain = new AcceleratorModel() {
            @Override public String name() { return "plain"; }
            @Override public String workUnit() { return "MAC"; }
            @Override public ActionCounts count(LayerSpec l, WeightRep wr, ActStats act, ArchSpec arch) {
                ActionCounts c = dn.count(l, wr, act, arch); // the seven-field form states no derivation
                return new ActionCounts(name(), c.layerId(), c.ccomp(), c.work(), c.peakPerCycle(), c.tiling(), c.actions());
            }
        };
        ModelResult withFormula = CostModel.price(dn, w, a, e), without = CostModel.price(plain, w, a, e);
        Map<String, Object> l1 = ((List<Map<String, Object>>) Reports.modelJson(withFormula, w, a, e).get("layers")).get(0);
        Map<String, Object> l2 = ((List<Map<String, Object>>) Reports.modelJson(without, w, a, e).get("layers")).get(0);
        assertEquals(withFormula.layers().get(0).counts().derivation().ccompFormula(), l1.get("ccompFormula"));
        assertTrue(l1.containsKey("ccompQuantities"));
        assertFalse(l2.containsKey("ccompFormula") || l2.containsKey("ccompQuantities"), l2.keySet().toString());
        assertEquals(l1.get("ccompCycles"), l2.get("ccompCycles"));
    }
}
