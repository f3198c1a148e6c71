package org.smartdeal.hw.report;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Workload;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Paper claims [P VI-D] the model reproduces at default knobs on the two CIFAR models: SmartDeal has
 * the lowest energy and latency, and every baseline moves more DRAM bytes (Fig. 9: 1.1-3.5x, accepted
 * range [0.9, 4.5] except DianNao/PRA on VGG19 at batch 1, HWMODEL.md 4.2(a)) except SCNN on ResNet-164
 * (0.94x, inside [0.9, 4.5] but not above 1).
 */
class PaperStudyTest {
    /** The sweep tells its listener once per configuration, as many times as {@link PaperStudy#steps} counts. */
    @Test
    void theSweepReportsEachConfiguration() {
        ArchSpec a = ArchSpec.paper();
        // VGG19-CIFAR, whose baselines all move more DRAM than SmartDeal, shows that SD's own ratio (1) is not among
        // the "min over baselines"
        Map<String, Workload> wl = new java.util.LinkedHashMap<>();
        for (String m : List.of("resnet164", "vgg19-cifar")) wl.put(m, PaperModels.workload(m, a.knobs(), a));
        List<String> steps = new java.util.ArrayList<>();
        String[] out = PaperStudy.sweep(wl, a.knobs(), EnergyTable.paper28nm(), steps::add);
        assertEquals(PaperStudy.steps(true) - PaperStudy.steps(false), steps.size());
        assertEquals("sweep: default", steps.get(0));
        assertEquals("sweep: statedRowZero=off", steps.get(steps.size() - 1));
        // one markdown table row per configuration
        assertEquals(steps.size(), java.util.Arrays.stream(out[1].split("\n"))
                .filter(l -> l.startsWith("| ") && !l.startsWith("| config ")).count());
        // the cells docs/HWMODEL-RESULTS.md publishes for ResNet-164 and VGG19-CIFAR (SD EE / SD SU / min baseline DRAM
        // ratio)
        assertTrue(out[1].contains("\n| config | resnet164 | vgg19-cifar | models in EE band / SU band / SD lowest energy / "
            + "SD lowest latency |\n|---|---|---|---|\n"
            + "| default | 1.49 / 1.64 / 0.94 | 9.37 / 7.04 / 1.65 | 0 / 1 / 1 / 2 of 2 |\n"
            + "| batch=16 | 1.40 / 1.56 / 0.73 | 7.19 / 4.58 / 0.91 | 1 / 0 / "), out[1]);
        // the last column counts again from the CSV's energies and cycles, row by row
        Map<String, Map<String, List<String[]>>> byConfig = new java.util.LinkedHashMap<>();
        java.util.Arrays.stream(out[0].split("\n")).skip(1).map(l -> l.split(",")).forEach(r -> byConfig
            .computeIfAbsent(r[0], k -> new java.util.LinkedHashMap<>()).computeIfAbsent(r[1], k -> new java.util.ArrayList<>()).add(r));
        for (var c : byConfig.entrySet()) {
            int[] met = new int[4];
            for (List<String[]> accs : c.getValue().values()) {
                String[] sd = accs.stream().filter(r -> r[2].equals("smartdeal")).findFirst().orElseThrow();
                String[] dn = accs.stream().filter(r -> r[2].equals("diannao")).findFirst().orElseThrow();
                double ee = Double.parseDouble(dn[3]) / Double.parseDouble(sd[3]), su = Double.parseDouble(dn[4]) / Double.parseDouble(sd[4]);
                if (ee >= 1.5 && ee <= 8.7) met[0]++;
                if (su >= 6.8 && su <= 25) met[1]++;
                if (accs.stream().allMatch(r -> r == sd || Double.parseDouble(r[3]) > Double.parseDouble(sd[3]))) met[2]++;
                if (accs.stream().allMatch(r -> r == sd || Double.parseDouble(r[4]) > Double.parseDouble(sd[4]))) met[3]++;
            }
            String row = java.util.Arrays.stream(out[1].split("\n")).filter(l -> l.startsWith("| " + c.getKey() + " |"))
                .findFirst().orElseThrow();
            assertTrue(row.endsWith(String.format(java.util.Locale.ROOT, " %d / %d / %d / %d of 2 |", met[0], met[1], met[2],
                met[3])), row);
        }
        assertEquals(steps.size(), byConfig.size());
        // the CSV's last two columns are E_x / E_SD and cycles_x / cycles_SD of the same configuration
        List<String[]> rows = java.util.Arrays.stream(out[0].split("\n")).skip(1).map(l -> l.split(","))
            .filter(r -> r[0].equals("default") && r[1].equals("resnet164")).toList();
        String[] sd = rows.stream().filter(r -> r[2].equals("smartdeal")).findFirst().orElseThrow();
        for (String[] r : rows) {
            assertEquals(Double.parseDouble(r[3]) / Double.parseDouble(sd[3]), Double.parseDouble(r[9]), 0, r[2]);
            assertEquals(Double.parseDouble(r[4]) / Double.parseDouble(sd[4]), Double.parseDouble(r[10]), 0, r[2]);
        }
        assertEquals(5, rows.size());
    }

    /**
     * The sweep's rows that change an energy-table entry or the paper workloads' zero-row rule change what they name
     * and nothing else: halving the RF energy lowers each design's energy by exactly half its RF-priced actions
     * (count x 0.143 pJ from its own action list) and moves no cycle or byte; rowZeroDefault leaves the two models
     * whose fraction the paper states (ResNet-164 among them) as they were; statedRowZero=off leaves the five that
     * get the knob (VGG19-CIFAR among them) and changes ResNet-164, whose 32.4% it drops to the knob's 0.
     */
    @Test
    void theRfAndRowZeroRowsChangeOnlyWhatTheyName() {
        ArchSpec a = ArchSpec.paper();
        EnergyTable e = EnergyTable.paper28nm();
        Map<String, Workload> wl = new java.util.LinkedHashMap<>();
        for (String m : List.of("resnet164", "vgg19-cifar")) wl.put(m, PaperModels.workload(m, a.knobs(), a));
        String[] out = PaperStudy.sweep(wl, a.knobs(), e, what -> { });
        String csv = out[0], md = out[1];
        Map<String, String[]> byKey = new java.util.HashMap<>();
        for (String l : csv.split("\n")) {
            String[] r = l.split(",");
            byKey.put(r[0] + "|" + r[1] + "|" + r[2], r);
        }
        Map<String, Map<String, ModelResult>> dflt = PaperStudy.price(wl, a, e, true);
        for (var m : dflt.entrySet())
            for (ModelResult x : m.getValue().values()) {
                String id = m.getKey() + "|" + x.accelerator();
                String[] d = byKey.get("default|" + id), rf = byKey.get("rfPjPer8Bit=0.0715|" + id);
                double rfPj = x.layers().stream().flatMap(l -> l.counts().actions().stream())
                    .filter(act -> act.unit().equals("rf")).mapToDouble(act -> act.count() * e.rfPjPer8Bit()).sum();
                assertTrue(rfPj > 0, id);
                assertEquals(Double.parseDouble(d[3]) - rfPj / 2, Double.parseDouble(rf[3]), 1e-9 * Double.parseDouble(d[3]), id);
                assertEquals(d[4], rf[4], id + " cycles");
                assertEquals(d[5], rf[5], id + " DRAM bytes");
                String[] stated = byKey.get("rowZeroDefault=0.271|" + id), off = byKey.get("statedRowZero=off|" + id);
                // the touched model's baselines do not see zero rows: their energy, cycles and bytes stay as they were
                String[] touched = m.getKey().equals("resnet164") ? off : stated;
                String[] untouched = m.getKey().equals("resnet164") ? stated : off;
                assertEquals(String.join(",", java.util.Arrays.copyOfRange(d, 1, d.length)),
                    String.join(",", java.util.Arrays.copyOfRange(untouched, 1, untouched.length)), id);
                if (x.accelerator().equals("smartdeal") && m.getKey().equals("resnet164"))
                    assertTrue(Double.parseDouble(touched[4]) > Double.parseDouble(d[4]), id + ": no zero rows, more cycles");
                else if (x.accelerator().equals("smartdeal"))
                    assertTrue(Double.parseDouble(touched[4]) < Double.parseDouble(d[4]), id + ": 27.1% zero rows, fewer cycles");
                else
                    assertEquals(java.util.List.of(d[3], d[4], d[5]), java.util.List.of(touched[3], touched[4], touched[5]), id);
            }
        // the cells docs/HWMODEL-RESULTS.md publishes for these rows (SD EE / SD SU / min baseline DRAM ratio)
        assertTrue(md.contains("| rfPjPer8Bit=0.0715 | 1.54 / 1.64 / 0.94 | 9.76 / 7.04 / 1.65 | 1 / 1 / 1 / 2 of 2 |\n"
            + "| rowZeroDefault=0.271 | 1.49 / 1.64 / 0.94 | 9.63 / 7.96 / 1.65 | 0 / 1 / 1 / 2 of 2 |\n"
            + "| statedRowZero=off | 1.45 / 1.43 / 0.94 | 9.37 / 7.04 / 1.65 | 0 / 1 / 1 / 2 of 2 |\n"), md);
    }

    @Test
    void smartDealLowestOnCifarModelsButResNet164Energy() {
        ArchSpec a = ArchSpec.paper();
        EnergyTable e = EnergyTable.paper28nm();
        for (String m : List.of("vgg19-cifar", "resnet164")) {
            Workload w = PaperModels.workload(m, a.knobs(), a);
            Map<String, ModelResult> r = PaperStudy.price(Map.of(m, w), a, e, true).get(m);
            assertEquals(PaperStudy.ACCELERATORS.size(), r.size(), m + ": SCNN runs on CIFAR models");
            ModelResult sd = r.get("smartdeal");
            for (ModelResult x : r.values()) {
                if (x == sd) continue;
                if (m.equals("resnet164") && x.accelerator().equals("scnn"))
                    // since fix 32 (SmartDeal's accumulators charged as Bit-pragmatic's) SCNN uses 2% less energy than
                    // SD on ResNet-164 (3% before fix 35 charged its accumulate adds): its compressed activations cut
                    // the DRAM traffic that dominates both at batch 1 (HWMODEL-RESULTS.md, "Why the bands are missed"
                    // item 4)
                    assertEquals(0.98, x.energyPj() / sd.energyPj(), 0.005, m + " energy scnn");
                else assertTrue(x.energyPj() > sd.energyPj(), m + " energy " + x.accelerator());
                assertTrue(x.cycles() > sd.cycles(), m + " latency " + x.accelerator());
                if (m.equals("resnet164") && x.accelerator().equals("scnn"))
                    // SCNN keeps activations compressed (1.5 B per non-zero); since fix 8 (Table II vector density)
                    // its ResNet-164 DRAM is 0.94x SD's: inside the [0.9, 4.5] range, not above 1 (HWMODEL-RESULTS.md)
                    assertEquals(0.94, x.dramBytes() / sd.dramBytes(), 0.01, m + " DRAM scnn");
                else assertTrue(x.dramBytes() >= sd.dramBytes() * 0.999, m + " DRAM " + x.accelerator());
            }
            String md = PaperStudy.comparisonMarkdown(Map.of(m, r), a.knobs());
            assertTrue(md.contains("| " + m + " |") && md.contains(m.equals("resnet164") ? "lowest MISS" : "lowest ok"), md);
        }
    }
}
