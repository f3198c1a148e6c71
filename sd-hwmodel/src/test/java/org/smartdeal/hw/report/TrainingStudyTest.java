package org.smartdeal.hw.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Json;
import org.smartdeal.hw.train.TrainingModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training files are a closed account: re-summing the written CSV gives the summary JSON's totals to
 * the last bit, every row is count = quantity x factor and energy = count x the table entry, and the
 * ratios are those of {@link TrainingModel#paperTable}.
 */
class TrainingStudyTest {
    @Test
    @SuppressWarnings("unchecked")
    void csvResumsToSummary(@TempDir Path dir) throws IOException {
        TrainingStudy.run(dir);
        EnergyTable e = EnergyTable.paper28nm();
        List<String> lines = Files.readAllLines(dir.resolve(TrainingStudy.ACTIONS_CSV));
        assertEquals(TrainingStudy.csvHeader().strip(), lines.get(0));
        List<String> head = split(lines.get(0));
        int model = head.indexOf("model"), variant = head.indexOf("variant"), level = head.indexOf("level"),
            quantity = head.indexOf("quantity"), factor = head.indexOf("factor"), count = head.indexOf("count"),
            unit = head.indexOf("unit"), unitPj = head.indexOf("unit_pJ"), energy = head.indexOf("energy_pJ");
        Map<String, double[]> sums = new LinkedHashMap<>(); // model/variant -> {compute, on-chip, DRAM}
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = split(line);
            assertEquals(head.size(), f.size(), line);
            double c = Double.parseDouble(f.get(count)), u = Double.parseDouble(f.get(unitPj)), en = Double.parseDouble(f.get(energy));
            assertEquals(Double.parseDouble(f.get(quantity)) * Double.parseDouble(f.get(factor)), c, line);
            assertEquals(e.pj(f.get(unit)), u, line);
            assertEquals(c * u, en, line);
            double[] s = sums.computeIfAbsent(f.get(model) + "/" + f.get(variant), k -> new double[3]);
            switch (f.get(level)) {
                case "COMPUTE" -> s[0] += en;
                case "RF", "SRAM" -> s[1] += en;
                case "DRAM" -> s[2] += en;
                default -> throw new AssertionError("unknown level in " + line);
            }
        }
        Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(dir.resolve(TrainingStudy.SUMMARY_JSON)));
        Map<String, Object> models = (Map<String, Object>) summary.get("models");
        Map<String, Map<String, Double>> table = TrainingModel.paperTable(ArchSpec.paper(), e);
        assertEquals(6, sums.size(), sums.keySet().toString());
        for (String m : TrainingModel.PAPER_MODELS) {
            Map<String, Object> vs = (Map<String, Object>) models.get(m);
            double va = 0;
            for (TrainingModel.Mode mode : TrainingModel.Mode.values()) {
                Map<String, Object> v = (Map<String, Object>) vs.get(mode.name());
                double[] s = sums.get(m + "/" + mode.name());
                String where = m + " " + mode;
                assertEquals(s[0], Json.num(v, "computePj"), where);
                assertEquals(s[1], Json.num(v, "onChipPj"), where);
                assertEquals(s[2], Json.num(v, "dramPj"), where);
                double total = s[0] + s[1] + s[2];
                assertEquals(total, Json.num(v, "totalPj"), where);
                if (mode == TrainingModel.Mode.VA) va = total;
                assertEquals(va / total, Json.num(v, "efficiencyOverVa"), where);
            }
            assertEquals(table.get(m).get("SD"), Json.num((Map<String, Object>) vs.get("SDT"), "efficiencyOverVa"), m);
            assertEquals(table.get(m).get("SS"), Json.num((Map<String, Object>) vs.get("SS"), "efficiencyOverVa"), m);
        }
        assertTrue(((Map<String, Object>) summary.get("trainingSpec")).containsKey("multWidthFactor"), "the constants are echoed");
    }

    /** Splits a CSV line on commas outside double quotes, unquoting fields. */
    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { out.add(b.toString()); b.setLength(0); }
            else b.append(c);
        }
        out.add(b.toString());
        return out;
    }

    /**
     * Per pass, the summary's sums are those of the CSV's rows of that pass and add up to the total; the paper's Table V
     * values ride beside SDT and SS (ResNet-18 1.36 / 1.50, MobileNetV2 1.29 / 1.40 [P]), the SS keep ratios beside SS
     * only; text fields are quoted; the summary returned is the one written.
     */
    @Test
    @SuppressWarnings("unchecked")
    void perPassSumsTableVAndTheReturnedSummary(@TempDir Path dir) throws IOException {
        Map<String, Object> returned = TrainingStudy.run(dir);
        Map<String, Object> written = (Map<String, Object>) Json.parse(Files.readString(dir.resolve(TrainingStudy.SUMMARY_JSON)));
        assertEquals(written.get("models").toString(), Json.parse(Json.write(returned.get("models"))).toString());
        List<String> lines = Files.readAllLines(dir.resolve(TrainingStudy.ACTIONS_CSV));
        List<String> head = split(lines.get(0));
        int model = head.indexOf("model"), variant = head.indexOf("variant"), pass = head.indexOf("pass"),
            action = head.indexOf("action"), energy = head.indexOf("energy_pJ");
        Map<String, Double> perPass = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = split(line);
            assertTrue(line.contains(",\"" + f.get(action) + "\",") && !f.get(action).isEmpty(), line);
            perPass.merge(f.get(model) + "/" + f.get(variant) + "/" + f.get(pass) + "_pJ", Double.parseDouble(f.get(energy)), Double::sum);
        }
        Map<String, Object> models = (Map<String, Object>) written.get("models");
        Map<String, double[]> tableV = Map.of("resnet18-cifar", new double[] {1.36, 1.50}, "mobilenetv2-cifar", new double[] {1.29, 1.40});
        for (String m : TrainingModel.PAPER_MODELS)
            for (TrainingModel.Mode mode : TrainingModel.Mode.values()) {
                Map<String, Object> v = (Map<String, Object>) ((Map<String, Object>) models.get(m)).get(mode.name());
                Map<String, Object> pp = (Map<String, Object>) v.get("perPass");
                double sum = 0;
                for (var e : pp.entrySet()) {
                    double want = perPass.getOrDefault(m + "/" + mode + "/" + e.getKey(), 0.0);
                    assertEquals(want, (double) e.getValue(), 1e-9 * Math.abs(want), m + " " + mode + " " + e.getKey());
                    sum += (double) e.getValue();
                }
                assertEquals(Json.num(v, "totalPj"), sum, 1e-9 * sum, m + " " + mode);
                assertTrue(sum > 0, m + " " + mode);
                assertEquals(mode == TrainingModel.Mode.SS, v.containsKey("ssKeep"), m + " " + mode);
                if (mode == TrainingModel.Mode.VA) {
                    assertTrue(!v.containsKey("paperTableV"), m);
                    assertEquals(1.0, Json.num(v, "efficiencyOverVa"), 0, m);
                } else {
                    assertEquals(tableV.get(m)[mode == TrainingModel.Mode.SDT ? 0 : 1], Json.num(v, "paperTableV"), 0, m + " " + mode);
                }
            }
    }
}
