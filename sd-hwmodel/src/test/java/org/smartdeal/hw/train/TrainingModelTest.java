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
    void orderingAndMobileNetV2Band() {
        Map<String, Map<String, Double>> t = TrainingModel.paperTable(ArchSpec.paper(), EnergyTable.paper28nm());
        for (Map<String, Double> r : t.values()) assertTrue(r.get("SS") > r.get("SD") && r.get("SD") > 1, r.toString());
        assertEquals(1.29, t.get("mobilenetv2-cifar").get("SD"), 0.25 * 1.29, "Table V MBV2 C10 fine-tune SD EE");
        assertEquals(1.40, t.get("mobilenetv2-cifar").get("SS"), 0.25 * 1.40, "Table V MBV2 C10 fine-tune SS EE");
    }
}
