package org.smartdeal.hw.report;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.model.AcceleratorModel;
import org.smartdeal.hw.model.CostModel;
import org.smartdeal.hw.model.LayerResult;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Json;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden reference outputs (Timeloop style): energy, cycles and DRAM bytes of three small layers
 * and of VGG-19/CIFAR on all accelerators at the default knobs, compared with relative tolerance
 * 1e-6. Regenerate deliberately after an intended model change with
 * {@code mvn -B -o -pl sd-hwmodel -am verify -Dtest=GoldenTest -Dsurefire.failIfNoSpecifiedTests=false -Dhwmodel.regenerateGoldens=true}
 * and commit the diff of src/test/resources/org/smartdeal/hw/golden/ with the reason.
 */
class GoldenTest {
    static final Path DIR = Path.of("src/test/resources/org/smartdeal/hw/golden");

    static Map<String, Object> compute() {
        ArchSpec a = ArchSpec.paper();
        EnergyTable e = EnergyTable.paper28nm();
        ActStats act = ActStats.fitted(1.616, 1.36, 0.1, 8, 16);
        List<LayerSpec> ls = List.of(LayerSpec.conv("conv3x3", LayerType.CONV, 64, 32, 3, 28, 28, 1, 1, 1),
            LayerSpec.conv("pw1x1", LayerType.CONV, 96, 48, 1, 14, 14, 1, 0, 1),
            LayerSpec.conv("dw3x3s2", LayerType.DWCONV, 48, 48, 3, 14, 14, 2, 1, 1));
        Map<String, Object> layers = new LinkedHashMap<>();
        for (LayerSpec l : ls) {
            WeightRep w = WeightRep.syntheticSd(l, 0.5, 0.3, 2.3, WeightRep.IdxMode.VECTOR_ELEM, 192, 42);
            Map<String, Object> per = new LinkedHashMap<>();
            for (AcceleratorModel acc : AcceleratorModel.all()) {
                LayerResult r = CostModel.price(acc, new Workload.Entry(l, w, act), a, e);
                per.put(acc.name(), List.of(r.totalPj(), r.cycles(), r.dramBytes()));
            }
            layers.put(l.id(), per);
        }
        Map<String, Object> net = new LinkedHashMap<>();
        Workload vgg = PaperModels.workload("vgg19-cifar", a.knobs(), a);
        for (AcceleratorModel acc : AcceleratorModel.all()) {
            ModelResult r = CostModel.price(acc, vgg, a, e, true);
            net.put(acc.name(), List.of(r.energyPj(), r.cycles(), r.dramBytes()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", 1);
        out.put("columns", List.of("energyPj", "cycles", "dramBytes"));
        out.put("layers", layers);
        out.put("vgg19-cifar", net);
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void matchesGoldenFile() throws IOException {
        Path f = DIR.resolve("golden-v1.json");
        Map<String, Object> now = compute();
        if (Boolean.getBoolean("hwmodel.regenerateGoldens")) {
            Files.createDirectories(DIR);
            Files.writeString(f, Json.write(now));
        }
        assertTrue(Files.exists(f), "golden file missing: regenerate with -Dhwmodel.regenerateGoldens=true");
        Map<String, Object> gold = (Map<String, Object>) Json.parse(Files.readString(f));
        Map<String, Object> gl = (Map<String, Object>) gold.get("layers"), nl = (Map<String, Object>) Json.parse(Json.write(now.get("layers")));
        assertEquals(gl.keySet(), nl.keySet());
        for (String l : gl.keySet()) compare(l, (Map<String, Object>) gl.get(l), (Map<String, Object>) nl.get(l));
        compare("vgg19-cifar", (Map<String, Object>) gold.get("vgg19-cifar"), (Map<String, Object>) Json.parse(Json.write(now.get("vgg19-cifar"))));
    }

    @SuppressWarnings("unchecked")
    static void compare(String where, Map<String, Object> gold, Map<String, Object> now) {
        assertEquals(gold.keySet(), now.keySet(), where);
        for (String acc : gold.keySet()) {
            List<Object> g = (List<Object>) gold.get(acc), n = (List<Object>) now.get(acc);
            for (int i = 0; i < g.size(); i++) {
                double gv = (Double) g.get(i), nv = (Double) n.get(i);
                assertEquals(gv, nv, 1e-6 * Math.abs(gv), where + " " + acc + " column " + i);
            }
        }
    }
}
