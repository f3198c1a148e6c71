package org.smartdeal.hw.model;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trace of the compute cycles (a hardware-model audit found SmartDeal's, Cambricon-X's and SCNN's ccomp could
 * not be recomputed from the reports, as they depend on where the zeros are): every accelerator gives a formula over
 * named quantities that reproduces its ccomp on every layer of the seven paper models, the text the reports write
 * parses back to the same value, and the quantities that only the zeros determine are checked by hand on a layer.
 */
class DerivationTest {
    static final ArchSpec A = ArchSpec.paper();
    static final EnergyTable T = EnergyTable.paper28nm();

    @Test
    void formulasEvaluateWithPrecedenceAndParentheses() {
        Map<String, Double> v = Map.of("a", 2.0, "b", 3.0, "c_1", 4.0);
        assertEquals(14.0, Derivation.eval("a + b * c_1", v));
        assertEquals(20.0, Derivation.eval("(a + b) * c_1", v));
        assertEquals(-0.5, Derivation.eval("a / c_1 - 1", v));
        assertEquals(3e-3, Derivation.eval("1.5e-3 * a", v), 1e-18);
        assertEquals(2.0, Derivation.eval(" ( ( a ) ) ", v));
        for (String[] bad : new String[][] {{"a + d", "unknown quantity 'd'"}, {"(a + b", "')' is missing"},
            {"a +", "a value is missing at the end"}, {"a $ b", "unexpected '$'"}, {"a b", "unexpected 'b'"},
            {"1.2.3", "'1.2.3' is not a number"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Derivation.eval(bad[0], v));
            assertTrue(e.getMessage().startsWith("Derivation formula \"" + bad[0] + "\"") && e.getMessage().contains(bad[1]),
                e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Derivation.of("a", "a", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Derivation.of("a", "1a", 1));
        assertThrows(IllegalArgumentException.class, () -> Derivation.of("a", "a"));
    }

    /** Every accelerator, every layer of the seven models: the formula over the written quantities gives ccomp. */
    @Test
    void everyAcceleratorTracesItsComputeCyclesOnThePaperModels() {
        int traced = 0;
        for (String model : PaperModels.NAMES) {
            Workload w = PaperModels.workload(model, A.knobs(), A);
            for (AcceleratorModel acc : AcceleratorModel.all())
                for (Workload.Entry x : w.layers()) {
                    if (!acc.supports(x.layer())) continue;
                    LayerResult r = CostModel.price(acc, x, A, T);
                    Derivation d = r.counts().derivation();
                    assertFalse(d.isEmpty(), acc.name() + " " + x.layer().id());
                    double fromText = Derivation.eval(d.ccompFormula(), parse(d.quantitiesText()));
                    assertEquals(r.counts().ccomp(), fromText, 1e-9 * Math.max(1, r.counts().ccomp()),
                        model + " " + acc.name() + " " + x.layer().id() + ": " + d.ccompFormula() + " with " + d.quantitiesText());
                    traced++;
                }
        }
        assertTrue(traced > 1000, "layers x accelerators traced: " + traced);
    }

    /**
     * A layer whose zeros are placed by hand: 3x3 conv, C = 32 (two channels per PE line), M = 2 filters, E = F = 8.
     * Filter 0 keeps 9 weights of channel 0 and 9 of channel 16 (both on line 0: load 18); filter 1 keeps 3 weights
     * of each of channels 0..31 (every line holds two channels: load 6). SmartDeal's groupMaxLoad is max(18, 6) = 18
     * (one group of 64 filters); Cambricon-X's groupMaxSteps is max(ceil(18/16), ceil(96/16)) = 6.
     */
    @Test
    void quantitiesThatDependOnTheZerosMatchAHandCount() {
        LayerSpec l = LayerSpec.conv("hand", LayerType.CONV, 2, 32, 3, 8, 8, 1, 1, 1);
        short[] nnz = new short[2 * 32];
        nnz[0] = 9;
        nnz[16] = 9;
        for (int c = 0; c < 32; c++) nnz[32 + c] = 3;
        short[] rows = new short[nnz.length];
        for (int k = 0; k < nnz.length; k++) rows[k] = (short) (nnz[k] == 9 ? 0b111 : nnz[k] == 3 ? 0b001 : 0);
        WeightRep w = new WeightRep(WeightRep.Kind.DENSE8, nnz, rows, 3, 0, 0, 0, 0);
        var act = InvariantsTest.ACT;
        Derivation sd = new SmartDealAccel().count(l, w, act, A).derivation();
        assertEquals(18.0, sd.quantities().get("groupMaxLoad"));
        // union over the group of the kernel rows each channel needs: channels 0 and 16 all three rows, the rest row 0
        assertEquals(2 * 3 + 30 * 1, sd.quantities().get("rowsUnion"));
        assertEquals(3 + 3 + 32, sd.quantities().get("rowsAll"));
        Derivation cx = new CambriconX().count(l, w, act, A).derivation();
        assertEquals(6.0, cx.quantities().get("groupMaxSteps"));
        assertEquals(114.0, cx.quantities().get("nnzW"));
    }

    private static Map<String, Double> parse(String text) {
        Map<String, Double> m = new HashMap<>();
        for (String kv : text.split(";")) {
            String[] p = kv.split("=", 2);
            m.put(p[0], Double.parseDouble(p[1]));
        }
        return m;
    }

    @Test
    void aFormulaThatDoesNotGiveCcompIsRefusedWhenPriced() {
        Workload.Entry x = PaperModels.workload("resnet164", A.knobs(), A).layers().get(1);
        ActionCounts c = new DianNao().count(x.layer(), x.weights(), x.act(), A);
        ActionCounts wrong = new ActionCounts(c.accelerator(), c.layerId(), c.ccomp() + 1, c.work(), c.peakPerCycle(),
            c.tiling(), c.actions(), c.derivation());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CostModel.price(wrong, x.layer(), A, T));
        assertTrue(e.getMessage().startsWith("diannao layer " + c.layerId() + ": ccomp " + (c.ccomp() + 1)), e.getMessage());
    }
}
