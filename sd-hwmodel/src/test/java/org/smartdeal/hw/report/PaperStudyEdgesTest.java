package org.smartdeal.hw.report;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.model.AcceleratorModel;
import org.smartdeal.hw.model.CostModel;
import org.smartdeal.hw.model.LayerResult;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Workload;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Figs. 8-10 ratios and the comparison table of {@link PaperStudy}: on results whose energy and cycles are set by
 * hand (so each band is met exactly at its ends), and on the paper workloads against the rows docs/HWMODEL-RESULTS.md
 * publishes.
 */
class PaperStudyEdgesTest {
    private static final ArchSpec A = ArchSpec.paper();
    private static final EnergyTable E = EnergyTable.paper28nm();
    /** The first layer of ResNet-164 priced on each accelerator: real action counts and DRAM traffic. */
    private static final Map<String, LayerResult> FIRST = first();

    private static Map<String, LayerResult> first() {
        Workload w = PaperModels.workload("resnet164", A.knobs(), A);
        Map<String, LayerResult> out = new LinkedHashMap<>();
        for (AcceleratorModel acc : AcceleratorModel.all())
            out.put(acc.name(), CostModel.price(acc, w, A, E, true).layers().get(0));
        return out;
    }

    /** One benchmark layer on {@code acc} with its real counts and the given energy and cycles. */
    private static ModelResult result(String model, String acc, double energyPj, double cycles) {
        LayerResult r = FIRST.get(acc);
        return new ModelResult(model, acc, "MAC", List.of(new LayerResult(r.layer(), r.counts(), r.energyPj(), energyPj, cycles,
            r.cdram(), r.fill(), r.boundBy(), r.utilisation())));
    }

    /** SD at 1 pJ and 1 cycle; DianNao, CX, SCNN (unless null), PRA at the given {energy, cycles}. */
    private static Map<String, ModelResult> models(String m, double[] dn, double[] cx, double[] scnn, double[] pra) {
        return models(m, 1, dn, cx, scnn, pra);
    }

    private static Map<String, ModelResult> models(String m, double sdCycles, double[] dn, double[] cx, double[] scnn, double[] pra) {
        Map<String, ModelResult> p = new LinkedHashMap<>();
        p.put("smartdeal", result(m, "smartdeal", 1, sdCycles));
        p.put("diannao", result(m, "diannao", dn[0], dn[1]));
        p.put("cambriconx", result(m, "cambriconx", cx[0], cx[1]));
        if (scnn != null) p.put("scnn", result(m, "scnn", scnn[0], scnn[1]));
        p.put("bitpragmatic", result(m, "bitpragmatic", pra[0], pra[1]));
        return p;
    }

    private static double dram(String acc) {
        return FIRST.get(acc).dramBytes() / FIRST.get("smartdeal").dramBytes();
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    @Test
    void theBandsAreMetAtTheirEndsAndSmartDealMustBeStrictlyLowest() {
        Map<String, Map<String, ModelResult>> res = new LinkedHashMap<>();
        // EE = 1.5 / 1 and SU = 6.8 / 1: the lower ends of HWMODEL.md 4.2's bands, met
        res.put("low", models("low", new double[] {1.5, 6.8}, new double[] {2, 2}, new double[] {3, 4}, new double[] {4, 3}));
        // EE = 8.7 and SU = 25: the upper ends, met; no SCNN
        res.put("high", models("high", new double[] {8.7, 25}, new double[] {2, 3}, null, new double[] {4, 5}));
        // just outside both bands; CX at SD's energy: SD is not strictly lowest
        res.put("out", models("out", new double[] {8.71, 6.79}, new double[] {1, 2}, new double[] {3, 4}, new double[] {4, 3}));
        // inside both bands; PRA at SD's cycles: not strictly lowest either
        res.put("tie", models("tie", new double[] {2, 7}, new double[] {2, 2}, new double[] {3, 4}, new double[] {4, 1}));
        // SD at 2 cycles: every speedup is cycles_x / 2
        res.put("slow", models("slow", 2, new double[] {2, 14}, new double[] {2, 4}, new double[] {3, 8}, new double[] {4, 6}));
        String md = PaperStudy.comparisonMarkdown(res, Knobs.defaults());
        String dr = f(dram("diannao")) + " / " + f(dram("cambriconx")) + " / " + f(dram("scnn")) + " / " + f(dram("bitpragmatic"));
        String drNoScnn = f(dram("diannao")) + " / " + f(dram("cambriconx")) + " / - / " + f(dram("bitpragmatic"));
        List<String> lines = Arrays.asList(md.split("\n"));
        assertTrue(lines.get(2).endsWith("| bands (EE in [1.5,8.7], SU in [6.8,25], SD lowest E and latency) |"), lines.get(2));
        // gains over CX / SCNN / PRA are E_x / E_SD and cycles_x / cycles_SD
        assertEquals("| low | 1.50 | 6.80 | 2.00 / 3.00 / 4.00 | 2.00 / 4.00 / 3.00 | " + dr + " | EE ok, SU ok, lowest ok |",
            lines.get(4));
        assertEquals("| high | 8.70 | 25.00 | 2.00 / - / 4.00 | 3.00 / - / 5.00 | " + drNoScnn + " | EE ok, SU ok, lowest ok |",
            lines.get(5));
        assertEquals("| out | 8.71 | 6.79 | 1.00 / 3.00 / 4.00 | 2.00 / 4.00 / 3.00 | " + dr + " | EE MISS, SU MISS, lowest MISS |",
            lines.get(6));
        assertEquals("| tie | 2.00 | 7.00 | 2.00 / 3.00 / 4.00 | 2.00 / 4.00 / 1.00 | " + dr + " | EE ok, SU ok, lowest MISS |",
            lines.get(7));
        assertEquals("| slow | 2.00 | 7.00 | 2.00 / 3.00 / 4.00 | 2.00 / 4.00 / 3.00 | " + dr + " | EE ok, SU ok, lowest ok |",
            lines.get(8));
        // means over the models each baseline ran: CX (2 + 3 + 2 + 2 + 2) / 5, SCNN (4 + 4 + 4 + 4) / 4, PRA (3 + 5 + 3 + 1 + 3) / 5;
        // geometric: CX (2^4 x 3)^(1/5) = 48^0.2 = 2.1689, SCNN 4, PRA (3^3 x 5 x 1)^(1/5) = 135^0.2 = 2.6673
        assertEquals("Mean SD speedup over CX / SCNN / PRA: 2.20 / 4.00 / 3.00 (paper: 2.5 / 3.8 / 2.0); geometric mean "
            + "2.17 / 4.00 / 2.67", lines.get(10));
    }

    @Test
    void theFigureCsvsHoldEachRatioAsDefined() {
        Map<String, Map<String, ModelResult>> res = new LinkedHashMap<>();
        res.put("a", models("a", new double[] {1.5, 6.8}, new double[] {2, 2}, new double[] {3, 4}, new double[] {4, 3}));
        res.put("b", models("b", new double[] {3, 2}, new double[] {0.5, 8}, null, new double[] {6, 1}));
        String head = "model,smartdeal,diannao,cambriconx,scnn,bitpragmatic\n";
        // Fig. 8: E_DN / E_x
        assertEquals(head + "a,1.5,1.0,0.75,0.5,0.375\nb,3.0,1.0,6.0,NaN,0.5\n", PaperStudy.ratioCsv(res, "ee"));
        // Fig. 10: cycles_DN / cycles_x
        assertEquals(head + "a,6.8,1.0,3.4," + (6.8 / 4) + "," + (6.8 / 3) + "\nb,2.0,1.0,0.25,NaN,2.0\n",
            PaperStudy.ratioCsv(res, "speedup"));
        // Fig. 9: bytes_x / bytes_SD
        String row = ",1.0," + dram("diannao") + "," + dram("cambriconx") + ",";
        assertEquals(head + "a" + row + dram("scnn") + "," + dram("bitpragmatic") + "\nb" + row + "NaN," + dram("bitpragmatic") + "\n",
            PaperStudy.ratioCsv(res, "dram"));
        assertTrue(dram("diannao") != 1, "the traffic differs, so the ratio's direction shows");
        assertThrows(IllegalArgumentException.class, () -> PaperStudy.ratio(res.get("a"), "diannao", "area"));
    }

    /** The rows docs/HWMODEL-RESULTS.md publishes for the two CIFAR models at the default knobs. */
    @Test
    void theCifarRowsAreThePublishedOnes() {
        Map<String, Workload> wl = new LinkedHashMap<>();
        for (String m : List.of("vgg19-cifar", "resnet164")) wl.put(m, PaperModels.workload(m, A.knobs(), A));
        String md = PaperStudy.comparisonMarkdown(PaperStudy.price(wl, A, E, true), A.knobs());
        assertTrue(md.contains("\n| vgg19-cifar | 9.37 | 7.04 | 1.83 / 1.47 / 7.98 | 1.37 / 4.66 / 6.18 | 8.66 / 1.71 / 1.65 / 8.66 "
            + "| EE MISS, SU ok, lowest ok |\n"), md);
        assertTrue(md.contains("\n| resnet164 | 1.49 | 1.64 | 1.44 / 0.98 / 1.16 | 1.81 / 1.56 / 1.29 | 1.14 / 1.13 / 0.94 / 1.14 "
            + "| EE MISS, SU MISS, lowest MISS |\n"), md);
    }
}
