package org.smartdeal.hw.train;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HWMODEL.md 5 acceptance: SS > SD > VA on both Table V/VI models; MobileNetV2 within +-25% of Table V. */
class TrainingModelTest {
    @Test
    void structuralKeepFollowsTablesXAndXi() {
        Map<String, Double> r = org.smartdeal.hw.spec.PaperModels.structuralKeep("resnet18-cifar");
        // Table X C-10: CONV1 0.2, L2-0-SC 0.1, L4-1-C2 0.5, LINEAR 0
        assertEquals(0.8, r.get("conv1"), 1e-12);
        assertEquals(0.9, r.get("l2_0_sc"), 1e-12);
        assertEquals(0.5, r.get("l4_1_c2"), 1e-12);
        assertEquals(1.0, r.get("fc0"), 1e-12);
        assertEquals(21, r.size());
        Map<String, Double> m = org.smartdeal.hw.spec.PaperModels.structuralKeep("mobilenetv2-cifar");
        // Table XI C-10: L0.C3 16x32 0.8, L1.C1 96x16 0.2, L10.C3 96x384 0.6, L14.C3 160x960 0.8, last row 1280x320 0.8;
        // block 15's projection and block 16 are not listed (keep 1)
        assertEquals(0.2, m.get("b0_project"), 1e-12);
        assertEquals(0.8, m.get("b1_expand"), 1e-12);
        assertEquals(0.4, m.get("b10_project"), 1e-12);
        assertEquals(0.2, m.get("b14_project"), 1e-12);
        assertEquals(0.2, m.get("conv_last"), 1e-12);
        assertEquals(1.0, m.get("b15_project"), 1e-12);
        assertEquals(1.0, m.get("b16_expand"), 1e-12);
        assertEquals(1.0, m.get("b3_dw"), 1e-12);
    }

    @Test
    void weightGradientPassReadsNoWeights() {
        // fix 18: with dense C_e and vectors (SD-T at density 1) on a single layer (FP + WG only), the SD-T
        // iteration differs from VA by the weight bytes and the rebuild of one pass, not two
        var l = java.util.List.of(org.smartdeal.hw.spec.LayerSpec.conv("c", org.smartdeal.hw.spec.LayerType.CONV, 64, 64, 3, 8, 8, 1, 1, 1));
        var a = ArchSpec.paper();
        var e = EnergyTable.paper28nm();
        double va = TrainingModel.iteration(l, TrainingModel.Mode.VA, 1, 1, 1, 128, a, e).dramPj();
        // VA DRAM = FP pass (W at 4 B + I + O at 2 B) + WG pass (I + O only) + update 18 B per weight
        var t = org.smartdeal.hw.model.TilingSearch.search(l.get(0).withBatch(128), 4, 2, 2, 0, a);
        assertEquals((2 * t.dramBytes() - t.wBytes() + 18 * l.get(0).wSize()) * e.dramPjPer8Bit(), va, 1e-6 * va);
    }

    @Test
    void orderingAndMobileNetV2Band() {
        Map<String, Map<String, Double>> t = TrainingModel.paperTable(ArchSpec.paper(), EnergyTable.paper28nm());
        for (Map<String, Double> r : t.values()) assertTrue(r.get("SS") > r.get("SD") && r.get("SD") > 1, r.toString());
        assertEquals(1.29, t.get("mobilenetv2-cifar").get("SD"), 0.25 * 1.29, "Table V MBV2 C10 fine-tune SD EE");
        assertEquals(1.40, t.get("mobilenetv2-cifar").get("SS"), 0.25 * 1.40, "Table V MBV2 C10 fine-tune SS EE");
    }
}
