package org.smartdeal.hw.dl4j;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.hw.model.AcceleratorModel;
import org.smartdeal.hw.model.Action;
import org.smartdeal.hw.model.ActionCounts;
import org.smartdeal.hw.model.CostModel;
import org.smartdeal.hw.model.DianNao;
import org.smartdeal.hw.model.LayerResult;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.model.Scnn;
import org.smartdeal.hw.report.ReportFolder;
import org.smartdeal.hw.report.Reports;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Json;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link EnergyReport#write} puts in its files: numbers that re-sum to the JSON totals, the columns that
 * give every count and work figure its unit, coverage marks for accelerators that price only part of a network,
 * the layers a network has that are not priced, and one consistent set of files when a folder is written again.
 */
class EnergyReportFilesTest {

    @TempDir
    Path tmp;

    private static final Knobs K = Knobs.defaults();

    private static Workload paper(String model) {
        return PaperModels.workload(model, K, ArchSpec.paper().withKnobs(K));
    }

    /** The workload with every layer in the benchmark, as in a DL4J network (classifier FC included). */
    private static Workload allInBenchmark(Workload w) {
        List<Workload.Entry> out = new ArrayList<>();
        for (Workload.Entry e : w.layers()) {
            LayerSpec l = e.layer();
            out.add(new Workload.Entry(new LayerSpec(l.id(), l.type(), l.batch(), l.m(), l.c(), l.groups(), l.r(), l.s(), l.h(),
                l.w(), l.e(), l.f(), l.stride(), l.pad(), l.dil(), true, l.padW()), e.weights(), e.act()));
        }
        return new Workload(w.name(), out, w.notes());
    }

    private static String fcId(Workload w) {
        return w.layers().stream().filter(e -> e.layer().type() == LayerType.FC).findFirst().orElseThrow().layer().id();
    }

    /** Rows of a CSV file as header-to-value maps (quoted fields hold no commas here). */
    private static List<Map<String, String>> csv(Path p) throws IOException {
        List<String> lines = Files.readAllLines(p);
        String[] h = lines.get(0).split(",");
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split(",", -1);
            assertEquals(h.length, v.length, line);
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < h.length; i++) m.put(h[i], v[i]);
            out.add(m);
        }
        return out;
    }

    private static double d(Map<String, String> row, String col) {
        assertTrue(row.containsKey(col), "column " + col);
        return Double.parseDouble(row.get(col));
    }

    private static Map<String, Object> json(Path p) throws IOException {
        return Json.parseObject(Files.readString(p));
    }

    /** summary.json's "accelerators": name to totals, coverage and ratios. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> accelerators(Path out) throws IOException {
        return (Map<String, Map<String, Object>>) json(out.resolve("summary.json")).get("accelerators");
    }

    /**
     * actions.csv and layers.csv re-sum to the JSON totals exactly (not to the last ulp: every value parses back to the
     * double written): per action count x unit_pJ = energy_pJ; per layer the actions' energies summed left to right in
     * file order = E_total_pJ (CostModel's order); per model DoubleStream.sum of the inBenchmark layers' E_total_pJ in
     * file order = summary.json and models/*.json energyPj (ModelResult's sum). The same for DRAM bytes and cycles.
     */
    @Test
    void csvNumbersReSumToTheJsonTotalsExactly() throws IOException {
        EnergyReport r = EnergyReport.of(paper("vgg19-cifar"), "paper defaults", List.of("all"), K);
        Path out = tmp.resolve("vgg");
        r.write(out);
        Map<String, Map<String, Double>> layerSum = new HashMap<>();
        for (Map<String, String> a : csv(out.resolve("actions.csv"))) {
            assertEquals(d(a, "energy_pJ"), d(a, "count") * d(a, "unit_pJ"), 0.0, a.toString());
            layerSum.computeIfAbsent(a.get("accelerator"), k -> new LinkedHashMap<>())
                .merge(a.get("layer"), d(a, "energy_pJ"), Double::sum);
        }
        Map<String, List<Double>> e = new LinkedHashMap<>(), cyc = new LinkedHashMap<>(), dram = new LinkedHashMap<>();
        for (Map<String, String> l : csv(out.resolve("layers.csv"))) {
            String acc = l.get("accelerator");
            assertEquals(d(l, "E_total_pJ"), layerSum.get(acc).get(l.get("layer")), 0.0, l.get("layer"));
            if (!Boolean.parseBoolean(l.get("inBenchmark"))) continue;
            e.computeIfAbsent(acc, k -> new ArrayList<>()).add(d(l, "E_total_pJ"));
            cyc.computeIfAbsent(acc, k -> new ArrayList<>()).add(d(l, "cycles"));
            dram.computeIfAbsent(acc, k -> new ArrayList<>()).add(d(l, "dram_bytes"));
        }
        Map<String, Map<String, Object>> s = accelerators(out);
        Map<String, Map<String, String>> models = new HashMap<>();
        for (Map<String, String> m : csv(out.resolve("models.csv"))) models.put(m.get("accelerator"), m);
        for (String acc : EnergyReport.NAMES) {
            double energy = e.get(acc).stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(((Number) s.get(acc).get("energyPj")).doubleValue(), energy, 0.0, acc);
            assertEquals(((Number) json(out.resolve("models/" + acc + ".json")).get("energyPj")).doubleValue(), energy, 0.0, acc);
            assertEquals(d(models.get(acc), "energy_pJ"), energy, 0.0, acc);
            assertEquals(((Number) s.get(acc).get("cycles")).doubleValue(), DoubleStream.of(
                cyc.get(acc).stream().mapToDouble(Double::doubleValue).toArray()).sum(), 0.0, acc);
            assertEquals(d(models.get(acc), "dram_bytes"), dram.get(acc).stream().mapToDouble(Double::doubleValue).sum(), 0.0, acc);
            assertEquals(r.results().get(acc).energyPj(), energy, 0.0, acc);
        }
    }

    @Test
    void columnsGiveUnitsBenchmarkMembershipAndWhatRederivesFillAndUtilisation() throws IOException {
        Workload w = paper("vgg19-cifar");
        EnergyReport r = EnergyReport.of(w, "paper defaults", List.of("all"), K);
        Path out = tmp.resolve("vgg");
        r.write(out);
        Map<String, LayerSpec> spec = new HashMap<>();
        for (Workload.Entry x : w.layers()) spec.put(x.layer().id(), x.layer());
        Map<String, String> unit = Map.of("diannao", "MAC", "cambriconx", "non-zero-weight MAC", "scnn", "non-zero product",
            "bitpragmatic", "bit-serial term", "smartdeal", "Booth term");
        double bw = K.dramBwBytesPerCycle();
        for (Map<String, String> l : csv(out.resolve("layers.csv"))) {
            LayerSpec x = spec.get(l.get("layer"));
            assertEquals(x.pad(), Integer.parseInt(l.get("pad")), l.get("layer"));
            assertEquals(x.padW(), Integer.parseInt(l.get("padW")), l.get("layer"));
            assertEquals(x.dil(), Integer.parseInt(l.get("dil")), l.get("layer"));
            assertEquals(unit.get(l.get("accelerator")), l.get("work_unit"));
            // fill = (first W tile + first I tile) / BW and utilisation = work / (peak x cycles), CostModel.price
            assertEquals(d(l, "fill_cycles"), (d(l, "firstWTile_bytes") + d(l, "firstITile_bytes")) / bw, 0.0, l.toString());
            assertEquals(d(l, "utilisation"), d(l, "work_ops") / (d(l, "peak_work_per_cycle") * d(l, "cycles")), 0.0, l.toString());
            assertTrue(d(l, "firstITile_bytes") > 0, l.get("layer"));
        }
        Map<String, String> bench = new HashMap<>();
        for (Map<String, String> l : csv(out.resolve("layers.csv"))) bench.put(l.get("layer"), l.get("inBenchmark"));
        for (Map<String, String> a : csv(out.resolve("actions.csv"))) {
            assertEquals(bench.get(a.get("layer")), a.get("inBenchmark"), a.get("layer"));
            assertEquals(a.get("level").equals("COMPUTE") ? "operations" : "bytes", a.get("count_unit"), a.toString());
        }
        assertEquals("cycles", new Action(Action.Level.COMPUTE, Action.Data.OVERHEAD, "leakage cycles", 3, "leakageCycle").countUnit());
        // vgg19-cifar: 16 conv layers in the totals, the classifier FC priced but outside them (SCNN does not price it)
        for (Map<String, String> m : csv(out.resolve("models.csv"))) {
            boolean scnn = m.get("accelerator").equals("scnn");
            assertEquals(scnn ? "16" : "17", m.get("layers_priced"), m.get("accelerator"));
            assertEquals("16", m.get("layers_in_totals"));
            assertEquals("16", m.get("benchmark_layers"));
            assertEquals("full", m.get("coverage"));
        }
        String scope = (String) json(out.resolve("models/diannao.json")).get("scope");
        assertEquals("sums over the 16 priced layers with inBenchmark = true; priced but outside the totals "
            + "(inBenchmark = false): 1 FC (" + fcId(w) + ")", scope);
        assertTrue(((String) json(out.resolve("models/scnn.json")).get("scope")).endsWith("not priced (scnn has no model for them): 1 FC (" + fcId(w) + ")"));
    }

    @Test
    void scopeNamesTheSeFcsOfEfficientNetAndIncludesTheClassifierOfADl4jNetwork() throws IOException {
        ArchSpec a = ArchSpec.paper().withKnobs(K);
        Workload eff = paper("efficientnetb0");
        String s = Reports.scope(CostModel.price(new DianNao(), eff, a, EnergyTable.paper28nm()), eff);
        assertTrue(s.contains("32 SE_FC (squeeze-and-excitation FC) (") && s.contains("1 FC ("), s);
        EnergyReport r = EnergyReport.of(Dl4jAccountingTest.mln(), "tiny", InputType.feedForward(4), null, 0, List.of("diannao"), K);
        Path out = tmp.resolve("tiny");
        r.write(out);
        assertEquals("sums over the 2 priced layers with inBenchmark = true (every layer of tiny)",
            json(out.resolve("models/diannao.json")).get("scope"));
    }

    /** zoo cnn shape: conv layers and FC layers all in the benchmark; SCNN prices the convolutions only. */
    @Test
    void partialCoverageIsMarkedInChartsTablesAndCsv() throws IOException {
        EnergyReport r = EnergyReport.of(allInBenchmark(paper("vgg19-cifar")), "paper defaults", List.of("all"), K);
        assertEquals(EnergyReport.Coverage.PARTIAL, r.coverage("scnn"));
        assertEquals("scnn (conv layers only: 16 of 17)", r.chartLabel("scnn"));
        assertEquals("diannao", r.chartLabel("diannao"));
        Path out = tmp.resolve("partial");
        r.write(out);
        String txt = Files.readString(out.resolve("summary.txt"));
        assertTrue(txt.contains("scnn: conv layers only: 16 of 17 benchmark layers (no model for FC layers); its totals cover "
            + "those 16 layers only, so it has no ratios"), txt);
        Map<String, String> scnn = csv(out.resolve("models.csv")).stream().filter(m -> m.get("accelerator").equals("scnn"))
            .findFirst().orElseThrow();
        assertEquals("partial", scnn.get("coverage"));
        assertEquals("16", scnn.get("layers_in_totals"));
        assertEquals("17", scnn.get("benchmark_layers"));
        assertEquals("NaN", scnn.get("ee_vs_diannao"));
        assertEquals("partial", accelerators(out).get("scnn").get("coverage"));
    }

    /**
     * Fields of one CSV record as RFC 4180 reads them: a field in double quotes may hold commas, and a doubled quote
     * in it is one quote.
     */
    private static List<String> rfc4180(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') { f.append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { out.add(f.toString()); f.setLength(0); }
            else f.append(c);
        }
        out.add(f.toString());
        return out;
    }

    /**
     * A DL4J layer's name and the model's name (a file's stem: "my,net.zip") are the user's text: a comma or a quote
     * in them must not shift the CSV columns (found by a bug hunt: layers.csv, actions.csv and models.csv wrote them
     * bare, so the row "my,net,diannao,fc,1,FC,..." read as model "my", accelerator "net", layer "diannao", and
     * every column after it one or two places off). Quoted as RFC 4180 says, every row has the header's columns and
     * the names read back as written.
     */
    @Test
    void namesWithCommasAndQuotesKeepTheCsvColumns() throws IOException {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.0)).list()
            .layer(new DenseLayer.Builder().nIn(4).nOut(2).activation(Activation.IDENTITY).name("fc,1").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(2).activation(Activation.SOFTMAX)
                .name("out \"b\"").build())
            .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        EnergyReport r = EnergyReport.of(net, "my,net", InputType.feedForward(4), null, 0, List.of("diannao"), K);
        Path out = tmp.resolve("names");
        r.write(out);
        for (String f : List.of("layers.csv", "actions.csv", "models.csv")) {
            List<String> lines = Files.readAllLines(out.resolve(f));
            List<String> h = rfc4180(lines.get(0));
            List<String> layers = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                List<String> v = rfc4180(line);
                assertEquals(h.size(), v.size(), f + ": " + line);
                assertEquals("my,net", v.get(h.indexOf("model")), f + ": " + line);
                assertEquals("diannao", v.get(h.indexOf("accelerator")), f + ": " + line);
                if (h.contains("layer")) layers.add(v.get(h.indexOf("layer")));
            }
            if (!f.equals("models.csv")) assertEquals(List.of("fc,1", "out \"b\""), layers.stream().distinct().toList(), f);
        }
    }

    /**
     * DL4J does not make a MultiLayerNetwork's layer names unique (three layers may each be .name("x")), so what an
     * accelerator did not price is told by the layer, not by its name (found by a bug hunt: SCNN, which prices the
     * convolution "x" and not the FC "x", was reported as "conv layers only: 1 of 2 benchmark layers (no model for
     * layers)", an empty list of types, and its scope left out the FC it did not price, as if every layer of the
     * workload had been priced). Expected: the texts of a workload whose names differ (partialCoverage... above).
     */
    @Test
    void layersOfTheSameNameAreToldApartInTheCoverageAndScope() {
        ActStats act = ActStats.worstCase();
        LayerSpec conv = LayerSpec.conv("x", LayerType.CONV, 4, 1, 3, 8, 8, 1, 0, 1);
        LayerSpec fc = LayerSpec.fc("x", LayerType.FC, 2, 144, true);
        Workload w = new Workload("dup", List.of(new Workload.Entry(conv, WeightRep.dense(conv), act),
            new Workload.Entry(fc, WeightRep.dense(fc), act)), "test");
        EnergyReport r = EnergyReport.of(w, "test", List.of("scnn", "diannao"), K);
        assertEquals("conv layers only: 1 of 2 benchmark layers (no model for FC layers)", r.coverageText("scnn"));
        assertEquals("sums over the 1 priced layers with inBenchmark = true; not priced (scnn has no model for them): 1 FC "
            + "(x)", Reports.scope(r.results().get("scnn"), w));
        assertEquals("sums over the 2 priced layers with inBenchmark = true (every layer of dup)",
            Reports.scope(r.results().get("diannao"), w));
    }

    /** LeNet-like all-FC network: SCNN prices nothing and says so instead of 0 layers / 0 uJ. */
    @Test
    void anAcceleratorThatPricesNoLayerIsNotModelledRatherThanZero() throws IOException {
        EnergyReport r = EnergyReport.of(Dl4jAccountingTest.mln(), "tiny", InputType.feedForward(4), null, 0, List.of("all"), K);
        assertEquals(EnergyReport.Coverage.NONE, r.coverage("scnn"));
        assertEquals("scnn (not modelled)", r.chartLabel("scnn"));
        assertEquals(0.0, r.results().get("scnn").energyPj(), "the raw result sums no layer");
        assertTrue(Double.isNaN(r.energyPj("scnn")) && Double.isNaN(r.cycles("scnn")) && Double.isNaN(r.dramBytes("scnn")),
            "the report's totals say 'not priced', not 0");
        assertEquals(r.results().get("diannao").energyPj(), r.energyPj("diannao"), 0, "a priced accelerator's total");
        assertEquals(r.results().get("diannao").cycles(), r.cycles("diannao"), 0);
        assertEquals(r.results().get("diannao").dramBytes(), r.dramBytes("diannao"), 0);
        var e = assertThrows(IllegalArgumentException.class, () -> r.energyPj("tpu"));
        assertTrue(e.getMessage().startsWith("EnergyReport: accelerator tpu is not in the report [smartdeal, "), e.getMessage());
        Path out = tmp.resolve("fc");
        r.write(out);
        assertManifestIsFileNames(out, List.of("smartdeal", "diannao", "cambriconx", "scnn", "bitpragmatic"));
        String txt = Files.readString(out.resolve("summary.txt"));
        String row = txt.lines().filter(l -> l.startsWith("scnn ")).findFirst().orElseThrow();
        assertTrue(row.endsWith("not modelled: no model for FC layers"), row);
        assertFalse(row.contains("0.0000"), row);
        Map<String, String> scnn = csv(out.resolve("models.csv")).stream().filter(m -> m.get("accelerator").equals("scnn"))
            .findFirst().orElseThrow();
        assertEquals("none", scnn.get("coverage"));
        assertEquals("NaN", scnn.get("energy_pJ"));
        assertNull(accelerators(out).get("scnn").get("energyPj"));
        String scnnJson = Files.readString(out.resolve("models/scnn.json"));
        assertTrue(scnnJson.contains("\"energyPj\": null"),
            scnnJson.substring(0, Math.min(400, scnnJson.length())));
    }

    /** ResNet-50 on SmartDeal and SCNN only: SCNN covers all 53 benchmark layers; the ratios are absent for lack of DianNao. */
    @Test
    void ratiosAbsentForLackOfDiannaoAreExplainedAsSuch() {
        EnergyReport r = EnergyReport.of(paper("resnet50"), "paper defaults", List.of("smartdeal,scnn"), K);
        assertEquals(EnergyReport.Coverage.FULL, r.coverage("scnn"));
        assertEquals(53, r.layersInTotals("scnn"));
        assertEquals(54, r.layersPriced("smartdeal"));
        String txt = r.summaryText();
        assertFalse(txt.contains("not modelled") || txt.contains("conv layers only"), txt);
        assertTrue(txt.contains("EE/DN and SU/DN: diannao is not among the accelerators priced"), txt);
        assertFalse(txt.contains("DRAM/SD:"), txt);
        assertFalse(Double.isNaN(r.ratio("scnn", "dram")));
        assertTrue(txt.contains("resnet50: 54 layers, 53 in the totals;"), txt);
    }

    /**
     * A table of zeros prices every action at 0 pJ: DianNao's energy is 0, so EE/DN would be 0/0 (NaN) for every
     * accelerator, and the summary printed "-" with no reason (a hunt found it). Expected: NaN ratios with a line
     * saying why, while the speedups (cycles, which the table does not touch) stay.
     */
    @Test
    void anEnergyTableOfZerosSaysWhyThereAreNoEnergyRatios() {
        EnergyTable zeros = new EnergyTable(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        EnergyReport r = EnergyReport.of(paper("resnet164"), "paper defaults", List.of("smartdeal,diannao"), K, zeros);
        assertEquals(0.0, r.results().get("diannao").energyPj());
        assertTrue(Double.isNaN(r.ratio("smartdeal", "ee")));
        assertFalse(Double.isNaN(r.ratio("smartdeal", "speedup")));
        String txt = r.summaryText();
        assertTrue(txt.contains("EE/DN: diannao's energy is 0 pJ (the energy table prices every action it counts at 0)"),
            txt);
    }

    /**
     * An accelerator model of the user's own (DianNao's counts at half the compute rate, under another name) priced
     * next to the paper's: it appears in every output under its name and work unit, with DianNao's energy (the same
     * actions and table) and at least DianNao's cycles on every layer.
     */
    @Test
    void anAcceleratorModelOfTheUsersOwnIsPricedAndReportedLikeThePapers() throws IOException {
        AcceleratorModel dn = new DianNao();
        AcceleratorModel half = new AcceleratorModel() {
            @Override public String name() { return "diannao-half"; }
            @Override public String workUnit() { return dn.workUnit(); }
            @Override public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec arch) {
                ActionCounts c = dn.count(l, w, act, arch);
                return new ActionCounts(name(), c.layerId(), 2 * c.ccomp(), c.work(), c.peakPerCycle() / 2, c.tiling(),
                    c.actions());
            }
        };
        EnergyReport r = EnergyReport.price(paper("resnet50"), "paper defaults", List.of(dn, half), K);
        assertEquals(List.of("diannao", "diannao-half"), List.copyOf(r.results().keySet()));
        assertEquals(1.0, r.ratio("diannao-half", "ee"), 0);
        List<LayerResult> a = r.results().get("diannao").layers(), b = r.results().get("diannao-half").layers();
        for (int i = 0; i < a.size(); i++) assertTrue(b.get(i).cycles() >= a.get(i).cycles(), a.get(i).layer().id());
        assertTrue(r.ratio("diannao-half", "speedup") < 1, "" + r.ratio("diannao-half", "speedup"));
        Path out = tmp.resolve("own");
        r.write(out);
        List<Map<String, String>> rows = csv(out.resolve("layers.csv")).stream()
            .filter(l -> l.get("accelerator").equals("diannao-half")).toList();
        assertEquals(b.size(), rows.size());
        rows.forEach(l -> assertEquals("MAC", l.get("work_unit")));
        assertTrue(r.summaryText().contains("diannao-half"), r.summaryText());

        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
            () -> EnergyReport.price(paper("resnet50"), "x", List.of(dn, new DianNao()), K));
        assertTrue(twice.getMessage().contains("two accelerator models are named 'diannao'"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EnergyReport.price(paper("resnet50"), "x", List.of(), K));
        AcceleratorModel slash = passingOn("../dn", dn);
        IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
            () -> EnergyReport.price(paper("resnet50"), "x", List.of(slash), K));
        assertTrue(path.getMessage().contains("got '../dn'"), path.getMessage());
        // a delegate's counts not renamed: refused, the model named once (not "dn-copy: dn-copy layer ...")
        AcceleratorModel copy = passingOn("dn-copy", dn);
        IllegalStateException unnamed = assertThrows(IllegalStateException.class,
            () -> EnergyReport.price(paper("resnet50"), "x", List.of(copy), K));
        assertTrue(unnamed.getMessage().startsWith("dn-copy layer ") && unnamed.getMessage().contains(
            ": the model's counts are named 'diannao'"), unnamed.getMessage());
        EnergyReport.PricingException pricing = assertInstanceOf(EnergyReport.PricingException.class, unnamed);
        assertEquals("dn-copy", pricing.accelerator());
        assertEquals(copy.getClass(), pricing.modelClass());
        // a model failing while it counts (a defect of its own) is a PricingException naming it and the layer
        AcceleratorModel failing = new AcceleratorModel() {
            @Override public String name() { return "failing"; }
            @Override public String workUnit() { return "MAC"; }
            @Override public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec arch) {
                throw new NullPointerException("no stats");
            }
        };
        EnergyReport.PricingException npe = assertThrows(EnergyReport.PricingException.class,
            () -> EnergyReport.price(paper("resnet50"), "x", List.of(dn, failing), K));
        assertEquals("failing", npe.accelerator());
        assertTrue(npe.getMessage().startsWith("failing layer ") && npe.getMessage().endsWith(
            ": counting failed: NullPointerException \"no stats\""), npe.getMessage());
        // a name given twice in a list is priced once
        assertEquals(1, EnergyReport.accelerators(List.of("scnn,scnn")).size());
    }

    /** A model named {@code name} that passes on {@code delegate}'s counts as they are, under the delegate's name. */
    private static AcceleratorModel passingOn(String name, AcceleratorModel delegate) {
        return new AcceleratorModel() {
            @Override public String name() { return name; }
            @Override public String workUnit() { return "MAC"; }
            @Override public ActionCounts count(LayerSpec l, WeightRep w, ActStats act, ArchSpec arch) {
                return delegate.count(l, w, act, arch);
            }
        };
    }

    /**
     * A model registered on the class path (a services file, as a plug-in jar on SMARTDEAL_CLASSPATH gives) is a name
     * {@link EnergyReport#accelerators} accepts, after the five, and {@code all} includes it. The stand-in rebuilds
     * DianNao's action counts under its own name, so its energy and cycles must equal DianNao's exactly. Without the
     * registration the name is refused as before; a broken one is refused naming its class.
     */
    @Test
    void aModelRegisteredOnTheClassPathIsKnownByName() throws IOException {
        String copy = org.smartdeal.hw.model.AcceleratorRegistryTest.DianNaoCopy.class.getName();
        ClassLoader cl = org.smartdeal.hw.model.AcceleratorRegistryTest.registering(tmp.resolve("plugin"), copy);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(cl);
        try {
            List<String> expected = new ArrayList<>(EnergyReport.NAMES);
            expected.add("diannao-copy");
            assertEquals(expected, EnergyReport.names());
            assertEquals(expected, EnergyReport.accelerators(List.of("all")).stream().map(AcceleratorModel::name).toList());
            EnergyReport r = EnergyReport.of(paper("resnet164"), "paper defaults", List.of("diannao,diannao-copy"), K);
            assertEquals(List.of("diannao", "diannao-copy"), List.copyOf(r.results().keySet()));
            assertEquals(r.results().get("diannao").energyPj(), r.results().get("diannao-copy").energyPj(), 0);
            assertEquals(r.results().get("diannao").cycles(), r.results().get("diannao-copy").cycles(), 0);
            assertEquals(1.0, r.ratio("diannao-copy", "speedup"), 0);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
        assertEquals(EnergyReport.NAMES, EnergyReport.names());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> EnergyReport.accelerators(List.of("diannao-copy")));
        assertTrue(unknown.getMessage().contains("got 'diannao-copy'"), unknown.getMessage());

        Thread.currentThread().setContextClassLoader(
            org.smartdeal.hw.model.AcceleratorRegistryTest.registering(tmp.resolve("broken"), "com.example.Missing"));
        try {
            RuntimeException e = assertThrows(org.smartdeal.hw.model.AcceleratorRegistry.RegistrationException.class,
                () -> EnergyReport.accelerators(List.of("diannao")));
            assertTrue(e.getMessage().contains("com.example.Missing"), e.getMessage());
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    /**
     * A table of the user's own prices the same action counts: with DRAM at twice the paper's 100 pJ, every
     * accelerator's DRAM energy doubles to the last digit, every other level keeps its energy, cycles are unchanged,
     * and the report echoes the table it used.
     */
    @Test
    void anEnergyTableOfTheUsersOwnRepricesTheSameCounts() {
        EnergyTable twiceDram = dramTimes(2);
        Workload w = paper("resnet164");
        EnergyReport a = EnergyReport.of(w, "paper defaults", List.of("all"), K);
        EnergyReport b = EnergyReport.of(w, "paper defaults", List.of("all"), K, twiceDram);
        assertEquals(twiceDram, b.table());
        for (String acc : a.results().keySet()) {
            ModelResult x = a.results().get(acc), y = b.results().get(acc);
            assertEquals(x.cycles(), y.cycles(), 0.0, acc);
            for (Action.Level lv : Action.Level.values())
                for (Action.Data d : Action.Data.values()) {
                    double want = lv == Action.Level.DRAM ? 2 * x.energyPj(lv, d) : x.energyPj(lv, d);
                    assertEquals(want, y.energyPj(lv, d), 1e-12 * Math.abs(want), acc + " " + lv + " " + d);
                }
            assertTrue(y.energyPj() > x.energyPj(), acc);
        }
    }

    /**
     * summary.json says where each default comes from beside the values (a traceability audit found the resources'
     * sources dropped): the shipped notes of the knobs, the arch and, with the paper's table, the energy table; with a
     * table of the caller's own, that it is one.
     */
    @Test
    @SuppressWarnings("unchecked")
    void summaryJsonEchoesTheSourcesOfTheDefaults(@TempDir Path dir) throws IOException {
        Workload w = paper("resnet164");
        Path a = dir.resolve("a"), b = dir.resolve("b");
        EnergyReport.of(w, "paper defaults", List.of("diannao"), K).write(a);
        EnergyReport.of(w, "paper defaults", List.of("diannao"), K, dramTimes(2)).write(b);
        Map<String, Object> s = (Map<String, Object>) json(a.resolve("summary.json")).get("sourcesOfDefaults");
        assertEquals(Specs.sources("knobs-v1.json"), s.get("knobs"));
        assertTrue(((Map<String, Object>) s.get("knobs")).get("dramBwBytesPerCycle").toString().startsWith("[A] 25.6 GB/s"));
        assertEquals("[P Table I]", ((Map<String, Object>) s.get("energyTable")).get("dramPjPer8Bit"));
        assertTrue(((Map<String, Object>) s.get("arch")).get("weightBufBytes").toString().startsWith("[P T.IX]"));
        Map<String, Object> own = (Map<String, Object>) json(b.resolve("summary.json")).get("sourcesOfDefaults");
        assertTrue(own.get("energyTable").toString().startsWith("a table of the caller's own"), own.toString());
    }

    /**
     * An architecture of the caller's own: DianNao with 64 output lanes instead of 32. Its compute cycles are a product
     * with the factor outTiles = ceil(M / dnTn) for every layer type (HWMODEL.md 2.4; `DianNao`), so each ResNet-164
     * layer's ccomp scales by ceil(M/64) / ceil(M/32): 1 for its 16- and 32-filter layers, 1/2 for the others. The
     * paper's architecture through the ArchSpec form gives the Knobs form's report to the bit, and summary.json names
     * an architecture of the caller's own as such.
     */
    @Test
    @SuppressWarnings("unchecked")
    void anArchitectureOfTheCallersOwnIsUsedAndEchoed(@TempDir Path dir) throws IOException {
        ArchSpec wide = paperWith("dnTn", 64);
        Workload w = paper("resnet164");
        EnergyReport a = EnergyReport.of(w, "paper defaults", List.of("diannao"), K);
        EnergyReport b = EnergyReport.of(w, "paper defaults", List.of("diannao"), wide, EnergyTable.paper28nm());
        assertEquals(wide, b.arch());
        List<LayerResult> x = a.results().get("diannao").layers(), y = b.results().get("diannao").layers();
        assertEquals(x.size(), y.size());
        int halved = 0;
        for (int i = 0; i < x.size(); i++) {
            int filters = x.get(i).layer().m();
            double scale = Math.ceil(filters / 64.0) / Math.ceil(filters / 32.0);
            if (scale == 0.5) halved++;
            assertEquals(scale * x.get(i).counts().ccomp(), y.get(i).counts().ccomp(), 0.0, x.get(i).layer().id());
        }
        assertTrue(halved > 0 && halved < x.size(), halved + " of " + x.size());

        EnergyReport same = EnergyReport.of(w, "paper defaults", List.of("all"), ArchSpec.paper().withKnobs(K),
            EnergyTable.paper28nm());
        EnergyReport viaKnobs = EnergyReport.of(w, "paper defaults", List.of("all"), K);
        for (String acc : viaKnobs.results().keySet()) {
            assertEquals(viaKnobs.results().get(acc).energyPj(), same.results().get(acc).energyPj(), 0.0, acc);
            assertEquals(viaKnobs.results().get(acc).cycles(), same.results().get(acc).cycles(), 0.0, acc);
        }
        Path own = dir.resolve("own"), paperArch = dir.resolve("paper");
        b.write(own);
        a.write(paperArch);
        Map<String, Object> s = (Map<String, Object>) json(own.resolve("summary.json")).get("sourcesOfDefaults");
        assertTrue(s.get("arch").toString().startsWith("an architecture of the caller's own"), s.toString());
        assertTrue(s.get("knobs").toString().startsWith("the knobs of the caller's architecture"), s.toString());
        assertEquals(64.0, ((Map<String, Object>) json(own.resolve("summary.json")).get("arch")).get("dnTn"));
        s = (Map<String, Object>) json(paperArch.resolve("summary.json")).get("sourcesOfDefaults");
        assertEquals(Specs.sources("arch-v1.json"), s.get("arch"));
        assertEquals(Specs.sources("knobs-v1.json"), s.get("knobs"));
    }

    /** The paper's architecture with one field changed, bound as a user's file is. */
    static ArchSpec paperWith(String field, double value) {
        Map<String, Object> m = Json.parseObject(Json.write(Specs.toMap(ArchSpec.paper())));
        m.put(field, value);
        return Specs.bind(ArchSpec.class, m, "test");
    }

    /** SCNN's accumulators come out of the input buffer: 8 x 8 PEs x 1024 entries x 3 B = 196,608 B of 524,288. */
    @Test
    void scnnRefusesAnArchitectureWhoseAccumulatorsFillTheInputBuffer() {
        assertEquals(196_608, Scnn.accumulatorBytes(ArchSpec.paper()), 0.0);
        Scnn.requireFits(ArchSpec.paper());
        ArchSpec small = ArchSpec.paper().withBuffers(196_608, 262_144, 4096);
        String msg = assertThrows(IllegalArgumentException.class, () -> Scnn.requireFits(small)).getMessage();
        assertEquals("SCNN's accumulators, scnnPeGrid^2 x scnnAccumulatorsPerPe x psumBytes = 8^2 x 1024 x 3 = 196608 bytes, "
            + "are taken from the input buffer and must be smaller than inputBufBytes, 196608", msg);
        Workload w = paper("resnet164");
        EnergyReport.PricingException scnn = assertThrows(EnergyReport.PricingException.class,
            () -> EnergyReport.of(w, "x", List.of("scnn"), small.withKnobs(K), EnergyTable.paper28nm()));
        assertEquals("scnn: " + msg, scnn.getMessage());
        assertInstanceOf(IllegalArgumentException.class, scnn.getCause());
        // the other four do not hold accumulators in that buffer and price the same architecture
        assertEquals(4, EnergyReport.of(w, "x", List.of("smartdeal", "diannao", "cambriconx", "bitpragmatic"),
            small.withKnobs(K), EnergyTable.paper28nm()).results().size());
    }

    /** The paper's table with DRAM at {@code factor} times its 100 pJ per byte, everything else as it is. */
    static EnergyTable dramTimes(double factor) {
        EnergyTable p = EnergyTable.paper28nm();
        return new EnergyTable(factor * p.dramPjPer8Bit(), p.macPjPer8Bit(), p.multPjPer8Bit(), p.addPjPer8Bit(),
            p.sramPjPer8BitAt2KB(), p.sramPjPer8BitAt16KB(), p.rfPjPer8Bit(), p.bitSerialTermPj(), p.reShiftAddPj(),
            p.selectPj(), p.huffmanDecodePj(), p.crossbarPj(), p.staticMw());
    }

    /** The network-level entry point takes a table too: the same network, DRAM at twice the paper's energy. */
    @Test
    void aNetworkIsPricedWithTheTableGiven() {
        EnergyTable p = EnergyTable.paper28nm();
        EnergyTable twiceDram = dramTimes(2);
        var it = new ListDataSetIterator<>(List.of(new DataSet(Dl4jAccountingTest.features(2), Nd4j.zeros(2, 2))), 2);
        EnergyReport a = EnergyReport.of(withBatchNorm(), "bn", InputType.feedForward(4), it, 2, List.of("all"), K);
        EnergyReport b = EnergyReport.of(withBatchNorm(), "bn", InputType.feedForward(4), it, 2, List.of("all"), K,
            twiceDram);
        assertEquals(p, a.table());
        assertEquals(twiceDram, b.table());
        for (String acc : a.results().keySet()) {
            ModelResult x = a.results().get(acc), y = b.results().get(acc);
            assertEquals(x.dramBytes(), y.dramBytes(), 0.0, acc);
            assertEquals(x.energyPj() + p.dramPjPer8Bit() * x.dramBytes(), y.energyPj(), 1e-9 * y.energyPj(), acc);
        }
        assertThrows(NullPointerException.class, () -> EnergyReport.of(withBatchNorm(), "bn", InputType.feedForward(4),
            null, 0, List.of("all"), K, null));
    }

    private static MultiLayerNetwork withBatchNorm() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.0)).list()
            .layer(new DenseLayer.Builder().nIn(4).nOut(2).activation(Activation.IDENTITY).name("fc").build())
            .layer(new BatchNormalization.Builder().nOut(2).name("bn").build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2).nOut(2).activation(Activation.SOFTMAX).name("out").build())
            .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void layersNotPricedAreNamedInTheSummaryTextWithAndWithoutData() {
        String note = "note: not priced (parameters of other layer kinds): bn (BatchNormalization)";
        EnergyReport noData = EnergyReport.of(withBatchNorm(), "bn", InputType.feedForward(4), null, 0, List.of("diannao"), K);
        assertTrue(noData.summaryText().contains(note + "\n"), noData.summaryText());
        var it = new ListDataSetIterator<>(List.of(new DataSet(Dl4jAccountingTest.features(2), Nd4j.zeros(2, 2))), 2);
        EnergyReport data = EnergyReport.of(withBatchNorm(), "bn", InputType.feedForward(4), it, 2, List.of("diannao"), K);
        assertTrue(data.summaryText().contains(note + "\n"), data.summaryText());
        EnergyReport none = EnergyReport.of(Dl4jAccountingTest.mln(), "tiny", InputType.feedForward(4), null, 0, List.of("diannao"), K);
        assertFalse(none.summaryText().contains("note:"), none.summaryText());
    }

    @Test
    void emptyAcceleratorListsAreRejected() {
        for (String bad : List.of("", " ", "smartdeal,,scnn", "smartdeal,")) {
            var e = assertThrows(IllegalArgumentException.class, () -> EnergyReport.accelerators(List.of(bad)), bad);
            assertTrue(e.getMessage().contains(EnergyReport.NAMES.toString()), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> EnergyReport.accelerators(List.of()));
    }

    /** The audit's sequence: all five, then DianNao alone at batch 4 into the same folder. */
    @Test
    void aReportWrittenAgainLeavesNoFileOfTheReportBefore() throws IOException {
        Path out = tmp.resolve("again");
        Workload w = paper("vgg19-cifar");
        EnergyReport.of(w, "paper defaults", List.of("all"), K).write(out);
        assertManifestIsFileNames(out, List.of("smartdeal", "diannao", "cambriconx", "scnn", "bitpragmatic"));
        Files.writeString(out.resolve("my-notes.txt"), "mine");
        EnergyReport.of(w, "paper defaults", List.of("diannao"), K.withBatch(4)).write(out);
        assertManifestIsFileNames(out, List.of("diannao"));
        try (Stream<Path> s = Files.list(out.resolve("models"))) {
            assertEquals(List.of("diannao.json"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals("mine", Files.readString(out.resolve("my-notes.txt")));
        assertEquals(List.of("diannao"), csv(out.resolve("models.csv")).stream().map(m -> m.get("accelerator")).toList());
        assertTrue(csv(out.resolve("layers.csv")).stream().allMatch(m -> m.get("N").equals("4")));
        assertEquals(List.of("diannao"), List.copyOf(accelerators(out).keySet()));
        assertTrue(Files.readString(out.resolve(ReportFolder.MANIFEST)).contains("\nmodels/diannao.json\n"));
    }

    /**
     * The files a report lists in its manifest are those {@link EnergyReport#fileNames} gives before pricing (what
     * the CLI checks the folder against first), with and without DianNao's ratio chart, for an accelerator that
     * prices no layer too; and SmartDeal alone into a fresh folder.
     */
    private static void assertManifestIsFileNames(Path out, List<String> accelerators) throws IOException {
        java.util.TreeSet<String> listed = new java.util.TreeSet<>(Files.readAllLines(out.resolve(ReportFolder.MANIFEST)));
        listed.removeIf(l -> l.startsWith("#") || l.isBlank());
        assertEquals(new java.util.TreeSet<>(EnergyReport.fileNames(accelerators)), listed);
    }

    @Test
    void fileNamesKnownBeforePricingAreTheFilesWritten() throws IOException {
        Path out = tmp.resolve("names");
        EnergyReport.of(paper("resnet164"), "paper defaults", List.of("smartdeal"), K).write(out);
        assertManifestIsFileNames(out, List.of("smartdeal"));
        assertFalse(EnergyReport.fileNames(List.of("smartdeal")).contains("charts/speedup-and-efficiency-vs-diannao.png"));
        assertTrue(EnergyReport.fileNames(List.of("diannao")).contains("charts/speedup-and-efficiency-vs-diannao.png"));
    }

    /** A file called {@code charts} in the folder: the write fails before any change, the previous set intact. */
    @Test
    void aFailedWriteLeavesThePreviousReportWhole() throws IOException {
        Path out = tmp.resolve("fail");
        Workload w = paper("vgg19-cifar");
        EnergyReport.of(w, "paper defaults", List.of("all"), K).write(out);
        try (Stream<Path> s = Files.list(out.resolve("charts"))) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(out.resolve("charts"));
        Files.writeString(out.resolve("charts"), "not a folder");
        String summary = Files.readString(out.resolve("summary.json")), models = Files.readString(out.resolve("models.csv"));
        assertThrows(java.io.UncheckedIOException.class,
            () -> EnergyReport.of(w, "paper defaults", List.of("diannao"), K.withBatch(4)).write(out));
        assertEquals(summary, Files.readString(out.resolve("summary.json")));
        assertEquals(models, Files.readString(out.resolve("models.csv")));
        assertTrue(Files.exists(out.resolve("models/scnn.json")));
    }
}
