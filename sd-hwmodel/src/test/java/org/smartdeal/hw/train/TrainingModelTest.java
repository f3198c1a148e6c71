package org.smartdeal.hw.train;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HWMODEL.md 5 acceptance: SS > SD > VA on both Table V/VI models; MobileNetV2 within +-25% of Table V; the
 * action lists by hand; the totals equal to those of the code before it listed actions.
 */
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
        // VA DRAM = FP pass (W at the 2 B working copy, fix 36, + I + O at 2 B) + WG pass (I + O only, on its own tiling,
        // fix 37, searched with dW at 2 B: here the FP pass's, all at 2 B; and the 2 B gradient per weight it writes,
        // fix 23) + update 18 B per weight + the 2 B working copy it writes (fix 36)
        var t = org.smartdeal.hw.model.TilingSearch.search(l.get(0).withBatch(128), 2, 2, 2, 0, a);
        assertEquals((2 * t.dramBytes() - t.wBytes() + (2 + 18 + 2) * l.get(0).wSize()) * e.dramPjPer8Bit(), va, 1e-6 * va);
    }

    @Test
    void orderingAndTableVBands() {
        Map<String, Map<String, Double>> t = TrainingModel.paperTable(ArchSpec.paper(), EnergyTable.paper28nm());
        for (Map<String, Double> r : t.values()) assertTrue(r.get("SS") > r.get("SD") && r.get("SD") > 1, r.toString());
        // HWMODEL.md 5's acceptance, +-25% of Table V; ResNet-18's SS was 2.09 (+39%) before fixes 36-38
        assertEquals(1.36, t.get("resnet18-cifar").get("SD"), 0.25 * 1.36, "Table V ResNet-18 C10 fine-tune SD EE");
        assertEquals(1.50, t.get("resnet18-cifar").get("SS"), 0.25 * 1.50, "Table V ResNet-18 C10 fine-tune SS EE");
        assertEquals(1.29, t.get("mobilenetv2-cifar").get("SD"), 0.25 * 1.29, "Table V MBV2 C10 fine-tune SD EE");
        assertEquals(1.40, t.get("mobilenetv2-cifar").get("SS"), 0.25 * 1.40, "Table V MBV2 C10 fine-tune SS EE");
    }

    /**
     * Regression values of the paper table and the six models x variants' {compute, on-chip, DRAM} iteration
     * energies, printed with Double.toString. First pinned from the code before the actions were listed
     * (commit 841e68c, which summed into three buckets directly; the action sums agreed within 2.4e-15
     * relative, summation order only); re-pinned after fix 22 (input tiles charged their real rows), which
     * raises ResNet-18's FP/IG input traffic on its padded, tiled layers (SD-T 1.5305 -> 1.5375, SS 2.0808 ->
     * 2.0908) and leaves MobileNetV2's values within 1e-14; re-pinned after fixes 23 (WG writes the gradient
     * the update reads, and SD-T's update reads dC_e) and 24 (weight SRAM accesses at the 2 KB weight bank):
     * ResNet-18 SD-T 1.5375 -> 1.5384, SS 2.0908 -> 2.0916, MobileNetV2 SD-T 1.0693 -> 1.0698, SS 1.1386 ->
     * 1.1391; DRAM +0.06% to +0.67%, on-chip -0.72% to -0.002%, compute unchanged; re-pinned after fixes 36-38
     * (VA's 16-bit working copy, WG's own tiling, batch tiles in powers of two): ResNet-18 1.5384 -> 1.2445 and
     * 2.0916 -> 1.6765, MobileNetV2 1.0698 -> 1.0348 and 1.1391 -> 1.1016. Not an independent check (that is
     * {@link #smallLayerActionsByHand}): it makes any change of these figures visible.
     */
    @Test
    void paperTableAndBucketsRegression() {
        ArchSpec a = ArchSpec.paper();
        EnergyTable e = EnergyTable.paper28nm();
        Map<String, Map<String, Double>> t = TrainingModel.paperTable(a, e);
        // regression of fixes 36-38 (2026-12-07; the session-34 audit's independent variant gave 1.253 / 1.707 and
        // 1.035 / 1.102 with WG's tiling searched with weights free, here with dW at 2 B); 1.538 / 2.092 and
        // 1.070 / 1.139 before them
        assertRel(1.2445396025311377, t.get("resnet18-cifar").get("SD"));
        assertRel(1.676489400082304, t.get("resnet18-cifar").get("SS"));
        assertRel(1.0347812822095248, t.get("mobilenetv2-cifar").get("SD"));
        assertRel(1.101583395791139, t.get("mobilenetv2-cifar").get("SS"));
        // {compute, on-chip, DRAM} pJ per model, VA / SDT / SS
        double[][] before = {
            {1.1378969961408005E11, 1.867431451064318E11, 2.094385152E11},
            {1.1377587894980734E11, 1.8541203519431387E11, 1.105791666971272E11},
            {7.390572646922588E10, 1.2133135575197876E11, 1.089529471911351E11},
            {1.7983153547136E10, 3.5143963963391975E10, 2.618356032E11},
            {1.7980777409025116E10, 3.503379356148219E10, 2.5136155771052307E11},
            {1.091331648007182E10, 2.367821049252778E10, 2.513266539966469E11}};
        int k = 0;
        for (String m : TrainingModel.PAPER_MODELS)
            for (TrainingModel.Mode mode : TrainingModel.Mode.values()) {
                var it = TrainingModel.IterationEnergy.of(TrainingModel.paperActions(m, mode, a, TrainingSpec.defaults()), e);
                assertRel(before[k][0], it.computePj());
                assertRel(before[k][1], it.onChipPj());
                assertRel(before[k][2], it.dramPj());
                k++;
            }
    }

    private static void assertRel(double expected, double actual) {
        assertEquals(expected, actual, 1e-12 * Math.abs(expected));
    }

    /**
     * One small layer by hand, in each variant: two 3x3 convs, C = M = 8, 4x4 input, pad 1 (E = F = 4), batch 2;
     * the second one ("c2") has all four passes. Every tensor fits on chip, so each pass moves the stored sizes
     * (HWMODEL.md 4.1.6) with no psum spill.
     * <pre>
     * MACs per pass = N M E F R S C = 2*8*4*4*9*8 = 18432 (SS: keep 0.5 -> 9216); |W| = 576
     * per MAC: RF 3 accesses x 2 B = 6 B, multiplies x4, adds x2  -> 110592 B, 73728, 36864
     * DRAM I = O = 2*8*4*4 * 2 B = 512 B; VA W = 576 * 2 B = 1152 B (the 16-bit working copy, fix 36)
     * SD (vecDensity 1, ceDensity 0.5): 192 vectors (M C R) of n = 3, all non-zero; ceNnz = max(192, 0.5*576) = 288;
     *   ceBytes = (288*2.3 + 192 + 3*192) / 8 = 178.8; numB = 8 * ceil(24 rows / 192) = 8, B = 8*3*3 = 72 B;
     *   W = 250.8 B; rebuild 288*3 = 864 shift-adds x2 = 1728; Huffman 288; dC_e 864 MACs (3456 mult, 1728 add);
     *   dB 864 x2 = 1728 shift-adds
     * WG's gradient writes (fix 23), 2 B per entry to DRAM and as many weight-bank SRAM accesses:
     *   VA dW 576*2 = 1152 B; SD dC_e 288*2 = 576 B, dB 72*2 = 144 B
     * update VA: W and m r/w 576*4 = 2304 B each, g 576*2 = 1152 B; 3 ops/param: 6912 mult, 3456 add; the working
     *   copy written, 576*2 = 1152 B (fix 36)
     * update SD: B (72 params) r/w 288 B each, g 144 B, 864 mult, 432 add; the compact B rewritten, 72 B (fix 36);
     *   dC_e read 288*2 = 576 B (fix 23);
     *   C_e r/w 178.8 B each, counters r/w 288 * 0.5 = 144 B each, selects 288*4 = 1152
     * SRAM banks (fix 24): weights and weight gradients at the 2 KB weight bank (1.36 pJ/B), activations and
     *   psums at the 16 KB input bank (2.45 pJ/B)
     * VA energy of c2: DRAM (FP 1152 + 1024, BP the same, WG 1024, update 10368 + 1152, gradient writes 1152 =
     *   18048) B * 100 + SRAM input/output 3072 B * 2.45 + SRAM weights (2*1152 + 1152) B * 1.36 + RF 331776 B *
     *   0.143 + mult 228096 * 0.124 + add 114048 * 0.019
     *   = 1804800 + 7526.4 + 4700.16 + 47443.968 + 28283.904 + 2166.912 = 1894921.344 pJ
     *   (2013254.784 before fix 36, when FP and BP read the FP32 master: DRAM 19200 B, SRAM weights 5760 B)
     * </pre>
     */
    @Test
    void smallLayerActionsByHand() {
        var c1 = org.smartdeal.hw.spec.LayerSpec.conv("c1", org.smartdeal.hw.spec.LayerType.CONV, 8, 8, 3, 4, 4, 1, 1, 1);
        var c2 = org.smartdeal.hw.spec.LayerSpec.conv("c2", org.smartdeal.hw.spec.LayerType.CONV, 8, 8, 3, 4, 4, 1, 1, 1);
        ArchSpec a = ArchSpec.paper();
        TrainingSpec ts = TrainingSpec.defaults();
        for (TrainingModel.Mode mode : TrainingModel.Mode.values()) {
            List<TrainingAction> all = TrainingModel.actions(List.of(c1, c2), mode, 0.5, 1, l -> 0.5, 2, a, ts);
            assertTrue(all.stream().noneMatch(x -> x.layer().equals("c1") && x.pass() == TrainingModel.Pass.INPUT_GRADIENT),
                "the first layer has no input-gradient pass");
            List<TrainingAction> got = all.stream().filter(x -> x.layer().equals("c2")).toList();
            boolean sd = mode != TrainingModel.Mode.VA;
            double macs = mode == TrainingModel.Mode.SS ? 9216 : 18432;
            List<Object[]> exp = new ArrayList<>();
            for (String p : List.of("FORWARD", "INPUT_GRADIENT", "WEIGHT_GRADIENT")) {
                boolean wg = p.equals("WEIGHT_GRADIENT");
                if (!wg) exp.add(new Object[] {p, "DRAM weight reads", sd ? 250.8 : 1152.0});
                exp.add(new Object[] {p, "DRAM input reads", 512.0});
                exp.add(new Object[] {p, "DRAM output writes", 512.0});
                exp.add(new Object[] {p, "DRAM psum write+read", 0.0});
                if (!wg) exp.add(new Object[] {p, "SRAM weight accesses", sd ? 250.8 : 1152.0});
                exp.add(new Object[] {p, "SRAM input accesses", 512.0});
                exp.add(new Object[] {p, "SRAM output accesses", 512.0});
                exp.add(new Object[] {p, "SRAM psum accesses", 0.0});
                exp.add(new Object[] {p, "RF operand accesses", 6 * macs});
                exp.add(new Object[] {p, "MAC multiplies", 4 * macs});
                exp.add(new Object[] {p, "MAC adds", 2 * macs});
                if (sd && !wg) {
                    exp.add(new Object[] {p, "rebuild shift-adds", 1728.0});
                    exp.add(new Object[] {p, "Huffman decodes", 288.0});
                }
                if (sd && wg) {
                    exp.add(new Object[] {p, "dC_e multiplies", 3456.0});
                    exp.add(new Object[] {p, "dC_e adds", 1728.0});
                    exp.add(new Object[] {p, "dB shift-adds", 1728.0});
                }
            }
            String wg = "WEIGHT_GRADIENT";
            if (sd) {
                exp.add(new Object[] {wg, "DRAM C_e gradient writes", 576.0});
                exp.add(new Object[] {wg, "SRAM C_e gradient accesses", 576.0});
                exp.add(new Object[] {wg, "DRAM basis gradient writes", 144.0});
                exp.add(new Object[] {wg, "SRAM basis gradient accesses", 144.0});
            } else {
                exp.add(new Object[] {wg, "DRAM weight gradient writes", 1152.0});
                exp.add(new Object[] {wg, "SRAM weight gradient accesses", 1152.0});
            }
            String what = sd ? "basis" : "weight";
            double params = sd ? 72 : 576;
            for (Object[] u : new Object[][] {{" reads (FP32)", 4.0}, {" writes (FP32)", 4.0}, {" momentum reads", 4.0},
                {" momentum writes", 4.0}, {" gradient reads", 2.0}})
                exp.add(new Object[] {"UPDATE", "DRAM " + what + u[0], params * (Double) u[1]});
            exp.add(new Object[] {"UPDATE", "SGD-momentum multiplies", params * 12});
            exp.add(new Object[] {"UPDATE", "SGD-momentum adds", params * 6});
            exp.add(new Object[] {"UPDATE", "DRAM " + what + " working-copy writes", sd ? 72.0 : 1152.0});
            if (sd) {
                exp.add(new Object[] {"UPDATE", "DRAM C_e gradient reads", 576.0});
                exp.add(new Object[] {"UPDATE", "DRAM C_e reads", 178.8});
                exp.add(new Object[] {"UPDATE", "DRAM C_e writes", 178.8});
                exp.add(new Object[] {"UPDATE", "DRAM counter reads", 144.0});
                exp.add(new Object[] {"UPDATE", "DRAM counter writes", 144.0});
                exp.add(new Object[] {"UPDATE", "update selects", 1152.0});
            }
            assertEquals(exp.size(), got.size(), mode + ": " + got);
            for (int i = 0; i < exp.size(); i++) {
                TrainingAction x = got.get(i);
                String where = mode + " action " + i + " " + x;
                assertEquals(exp.get(i)[0], x.pass().name(), where);
                assertEquals(exp.get(i)[1], x.action().name(), where);
                double c = (Double) exp.get(i)[2];
                assertEquals(c, x.action().count(), 1e-12 * c, where);
                if (x.action().level() == org.smartdeal.hw.model.Action.Level.SRAM)
                    assertEquals(x.action().data() == org.smartdeal.hw.model.Action.Data.W ? "sram2048" : "sram16384", x.action().unit(), where);
            }
            if (!sd) {
                var it = TrainingModel.IterationEnergy.of(got, EnergyTable.paper28nm());
                assertEquals(1894921.344, it.totalPj(), 1e-9 * 1894921.344, "VA energy of c2 by hand");
                assertEquals(1804800, it.dramPj(), 1e-9 * 1804800);
            }
        }
    }

    @Test
    void specResourceCarriesHwmodelSection5Values() {
        TrainingSpec t = TrainingSpec.defaults();
        // HWMODEL.md 5: 16-bit operands (x4 mult, x2 add / RF), FP32 W and m, 16-bit gradient (4+4+4+4+2 B), 4-bit counters, B = 128
        assertEquals(4, t.multWidthFactor());
        assertEquals(2, t.addWidthFactor());
        assertEquals(2, t.rfBytesPerAccess());
        assertEquals(18, 2 * t.masterWeightBytes() + 2 * t.momentumBytes() + t.gradientBytes());
        assertEquals(0.5, t.counterBytes());
        assertEquals(128, t.paperBatch());
        var ex = assertThrows(IllegalArgumentException.class, () -> new TrainingSpec(4, 2, 2, 3, 2, 4, 2, 4, 2, 3, -1, 4, 2.3,
            org.smartdeal.hw.spec.WeightRep.IdxMode.VECTOR_ELEM, 192, 128));
        assertEquals("TrainingSpec.counterBits must be in [0, 64], got -1", ex.getMessage());
    }
}
