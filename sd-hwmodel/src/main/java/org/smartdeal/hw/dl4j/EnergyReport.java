package org.smartdeal.hw.dl4j;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.smartdeal.hw.model.AcceleratorModel;
import org.smartdeal.hw.model.Action;
import org.smartdeal.hw.model.CostModel;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.report.Charts;
import org.smartdeal.hw.report.Reports;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Json;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A network priced on a set of accelerators (HWMODEL.md 2-3) with the statistics it was priced with.
 * Totals are over the {@code inBenchmark} layers: every layer of a DL4J network ({@link Workloads}), the
 * non-classifier layers of a paper workload. SCNN has no FC model [P], so on networks with benchmark FC
 * layers its totals cover the conv layers only ({@link #layersPriced}) and its ratios are NaN.
 *
 * @param workload    the priced workload (layers, weights, activation statistics)
 * @param results     accelerator name to priced result, in the requested order
 * @param arch        architecture with the knobs used
 * @param table       energy table
 * @param statsSource where the activation statistics come from (data and sample count, or paper defaults)
 */
public record EnergyReport(Workload workload, Map<String, ModelResult> results, ArchSpec arch, EnergyTable table,
                           String statsSource) {

    /** Accelerator names accepted by {@link #accelerators}, DianNao-normalised reports need "diannao". */
    public static final List<String> NAMES = List.of("smartdeal", "diannao", "cambriconx", "scnn", "bitpragmatic");

    /** Copies the map. */
    public EnergyReport {
        results = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(results));
    }

    /**
     * Parses an accelerator list: {@code all} or names from {@link #NAMES}, comma-separated.
     *
     * @throws IllegalArgumentException naming the bad entry and the allowed names
     */
    public static List<AcceleratorModel> accelerators(List<String> names) {
        List<String> want = new ArrayList<>();
        for (String n : names) for (String p : n.split(",")) if (!p.isBlank()) want.add(p.trim().toLowerCase(Locale.ROOT));
        if (want.isEmpty() || want.contains("all")) want = NAMES;
        List<AcceleratorModel> out = new ArrayList<>();
        for (String n : want) {
            AcceleratorModel a = AcceleratorModel.all().stream().filter(x -> x.name().equals(n)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("accelerator must be all or one of " + NAMES + ", got '" + n + "'"));
            if (!out.contains(a)) out.add(a);
        }
        return out;
    }

    /**
     * Prices a DL4J network. With {@code data} (non-null) the activation statistics are measured on the
     * first {@code samples} examples ({@link ActStatsCollector}); without, the paper defaults
     * ({@link Workloads#paperDefaultStats}) are used and the report says so.
     *
     * @param net          MultiLayerNetwork or ComputationGraph
     * @param name         model name for the reports
     * @param inputType    the network's input type (e.g. {@code InputType.convolutionalFlat(28, 28, 1)})
     * @param data         data for the statistics, or null
     * @param samples      examples to measure (>= 1 when data is given)
     * @param accelerators accelerator names ({@link #accelerators})
     * @param knobs        the [A] knobs
     */
    public static EnergyReport of(Model net, String name, InputType inputType, DataSetIterator data, int samples,
                                  List<String> accelerators, Knobs knobs) {
        ArchSpec a = ArchSpec.paper().withKnobs(knobs);
        Workload w;
        String src;
        if (data == null) {
            w = Workloads.of(net, name, knobs, a, inputType);
            src = Workloads.PAPER_STATS_NOTE;
        } else {
            Workloads.Extracted x = Workloads.extract(net, inputType);
            ActStatsCollector c = ActStatsCollector.collect(net, x, data, samples, a);
            src = "activation statistics measured on " + c.images() + " examples (HWMODEL.md 1.3, per-minibatch int8 scale)";
            w = c.workload(name, src + Workloads.skippedNote(x));
        }
        return of(w, src, accelerators, knobs);
    }

    /** Prices a ready workload (e.g. a paper model) on the named accelerators. */
    public static EnergyReport of(Workload w, String statsSource, List<String> accelerators, Knobs knobs) {
        ArchSpec a = ArchSpec.paper().withKnobs(knobs);
        EnergyTable e = EnergyTable.paper28nm();
        Map<String, ModelResult> res = new LinkedHashMap<>();
        for (AcceleratorModel acc : accelerators(accelerators)) res.put(acc.name(), CostModel.price(acc, w, a, e, false));
        return new EnergyReport(w, res, a, e, statsSource);
    }

    /** Number of layers an accelerator priced (SCNN skips FC layers). */
    public int layersPriced(String accelerator) {
        ModelResult r = results.get(accelerator);
        return r == null ? 0 : r.layers().size();
    }

    /**
     * E_DianNao / E_x ("ee"), cycles_DianNao / cycles_x ("speedup") or DRAM_x / DRAM_SmartDeal ("dram") over the
     * benchmark layers; NaN when a side is missing or the accelerator could not price every benchmark layer.
     */
    public double ratio(String accelerator, String kind) {
        ModelResult x = results.get(accelerator), dn = results.get("diannao"), sd = results.get("smartdeal");
        long bench = workload.layers().stream().filter(e -> e.layer().inBenchmark()).count();
        boolean partial = x != null && x.layers().stream().filter(r -> r.layer().inBenchmark()).count() != bench;
        if (x == null || partial) return Double.NaN;
        return switch (kind) {
            case "ee" -> dn == null ? Double.NaN : dn.energyPj() / x.energyPj();
            case "speedup" -> dn == null ? Double.NaN : dn.cycles() / x.cycles();
            case "dram" -> sd == null ? Double.NaN : x.dramBytes() / sd.dramBytes();
            default -> throw new IllegalArgumentException("ratio kind must be ee, speedup or dram, got " + kind);
        };
    }

    /** The summary map written as summary.json. */
    public Map<String, Object> summary() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", workload.name());
        o.put("statsSource", statsSource);
        o.put("notes", workload.notes());
        o.put("layers", workload.layers().size());
        o.put("scope", "sums over inBenchmark layers (every layer of a DL4J network; paper workloads exclude the classifier FC); "
            + "SCNN has no FC model, so with FC layers its totals cover conv layers only (layersPriced) and its ratios are null");
        Map<String, Object> acc = new LinkedHashMap<>();
        for (ModelResult r : results.values()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("energyPj", r.energyPj());
            t.put("cycles", r.cycles());
            t.put("dramBytes", r.dramBytes());
            t.put("layersPriced", r.layers().size());
            t.put("energyEfficiencyVsDiannao", ratio(r.accelerator(), "ee"));
            t.put("speedupVsDiannao", ratio(r.accelerator(), "speedup"));
            t.put("dramVsSmartdeal", ratio(r.accelerator(), "dram"));
            acc.put(r.accelerator(), t);
        }
        o.put("accelerators", acc);
        o.put("knobs", Specs.toMap(arch.knobs()));
        o.put("arch", Specs.toMap(arch));
        o.put("energyTable", Specs.toMap(table));
        return o;
    }

    /** Per-layer workload description: shape, weight representation and activation statistics. */
    public List<Map<String, Object>> workloadMaps() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Workload.Entry x : workload.layers()) {
            Map<String, Object> m = new LinkedHashMap<>(x.layer().toMap());
            WeightRep w = x.weights();
            Map<String, Object> wm = new LinkedHashMap<>();
            wm.put("kind", w.kind().name()); wm.put("weights", x.layer().wSize()); wm.put("nnzW", w.nnzTotal());
            wm.put("basisDim", w.n()); wm.put("ceNnz", w.ceNnz()); wm.put("ceBytes", w.ceBytes()); wm.put("bBytes", w.bBytes());
            wm.put("numB", w.numB());
            m.put("weightRep", wm);
            ActStats a = x.act();
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("dA", a.dA()); am.put("bitsRaw", a.bitsRaw()); am.put("boothDig", a.boothDig()); am.put("rowZero", a.rowZero());
            am.put("tSD", a.tSD()); am.put("tPRA", a.tPRA()); am.put("dOut", a.dOut());
            am.put("bitSparsity", 1 - a.bitsRaw() / 8); am.put("boothSparsity", 1 - a.boothDig() / 4);
            if (a.scnn() != null) {
                am.put("scnnMeanNnz", java.util.Arrays.stream(a.scnn().meanNnz()).boxed().toList());
                am.put("scnnMeanMaxSteps", java.util.Arrays.stream(a.scnn().meanMaxSteps()).boxed().toList());
            }
            m.put("actStats", am);
            out.add(m);
        }
        return out;
    }

    /** A per-accelerator text table: energy (uJ), cycles, DRAM (MB) and the DianNao-normalised ratios. */
    public String summaryText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s: %d layers; %s%n", workload.name(), workload.layers().size(), statsSource));
        b.append(String.format(Locale.ROOT, "knobs: %s%n", Specs.toMap(arch.knobs())));
        b.append(String.format(Locale.ROOT, "%-13s %7s %14s %14s %12s %9s %9s %9s%n", "accelerator", "layers", "energy_uJ", "cycles",
            "DRAM_MB", "EE/DN", "SU/DN", "DRAM/SD"));
        for (ModelResult r : results.values())
            b.append(String.format(Locale.ROOT, "%-13s %7d %14.4f %14.0f %12.4f %9.2f %9.2f %9.2f%n", r.accelerator(), r.layers().size(),
                r.energyPj() / 1e6, r.cycles(), r.dramBytes() / 1e6, ratio(r.accelerator(), "ee"), ratio(r.accelerator(), "speedup"),
                ratio(r.accelerator(), "dram")));
        if (results.containsKey("scnn") && Double.isNaN(ratio("scnn", "ee")))
            b.append("scnn: FC layers not modelled [P]; its totals cover conv layers only, ratios NaN\n");
        b.append("totals: benchmark layers (every layer of a DL4J network; paper workloads exclude the classifier FC)\n");
        return b.toString();
    }

    /**
     * Writes into {@code dir}: {@code summary.json}, {@code summary.txt}, {@code models.csv} (per model and
     * accelerator), {@code layers.csv} (per layer and accelerator: counts, tiling, energy matrix),
     * {@code actions.csv} (every count x unit energy), {@code workload.json} (shapes, weights, ActStats),
     * {@code models/<accelerator>.json} (full per-layer JSON with knobs, arch, energy table) and PNG
     * charts in {@code charts/}: energy by level, speedup and energy efficiency vs DianNao, DRAM per tensor.
     */
    public void write(Path dir) {
        StringBuilder layers = new StringBuilder(Reports.layerCsvHeader()), actions = new StringBuilder(Reports.actionsCsvHeader());
        StringBuilder models = new StringBuilder("model,accelerator,layers_priced,energy_pJ,cycles,dram_bytes,dramW_bytes,dramI_bytes,"
            + "dramO_bytes,dramPsum_bytes,ee_vs_diannao,speedup_vs_diannao,dram_vs_smartdeal\n");
        for (ModelResult r : results.values()) {
            layers.append(Reports.layerCsvRows(r));
            actions.append(Reports.actionsCsvRows(r, table));
            Reports.write(dir.resolve("models/" + r.accelerator() + ".json"), Json.write(Reports.modelJson(r, arch, table)));
            models.append(String.join(",", r.model(), r.accelerator(), Integer.toString(r.layers().size()), g(r.energyPj()), g(r.cycles()),
                g(r.dramBytes()), g(r.dramBytes("W")), g(r.dramBytes("I")), g(r.dramBytes("O")), g(r.dramBytes("psum")),
                g(ratio(r.accelerator(), "ee")), g(ratio(r.accelerator(), "speedup")), g(ratio(r.accelerator(), "dram")))).append('\n');
        }
        Reports.write(dir.resolve("layers.csv"), layers.toString());
        Reports.write(dir.resolve("actions.csv"), actions.toString());
        Reports.write(dir.resolve("models.csv"), models.toString());
        Reports.write(dir.resolve("summary.json"), Json.write(summary()));
        Reports.write(dir.resolve("summary.txt"), summaryText());
        Map<String, Object> wl = new LinkedHashMap<>();
        wl.put("model", workload.name());
        wl.put("statsSource", statsSource);
        wl.put("layers", workloadMaps());
        Reports.write(dir.resolve("workload.json"), Json.write(wl));
        charts(dir.resolve("charts"));
    }

    private void charts(Path dir) {
        List<String> accs = new ArrayList<>(results.keySet());
        String m = workload.name();
        Map<String, List<Double>> lv = new LinkedHashMap<>(), tn = new LinkedHashMap<>(), rat = new LinkedHashMap<>();
        for (Action.Level l : Action.Level.values()) {
            List<Double> v = new ArrayList<>();
            for (String acc : accs) {
                double s = 0;
                for (Action.Data d : Action.Data.values()) s += results.get(acc).energyPj(l, d);
                v.add(s / 1e6);
            }
            lv.put(l.name(), v);
        }
        for (String t : List.of("W", "I", "O", "psum")) {
            List<Double> v = new ArrayList<>();
            for (String acc : accs) v.add(results.get(acc).dramBytes(t) / 1e6);
            tn.put(t, v);
        }
        Charts.bars(dir.resolve("energy-by-level.png"), m + ": energy by level", "accelerator", "energy (uJ)", accs, lv, true);
        Charts.bars(dir.resolve("dram-per-tensor.png"), m + ": DRAM traffic per tensor", "accelerator", "DRAM (MB, 10^6 bytes)", accs, tn, true);
        if (results.containsKey("diannao")) {
            List<Double> ee = new ArrayList<>(), su = new ArrayList<>();
            for (String acc : accs) {
                double e = ratio(acc, "ee"), s = ratio(acc, "speedup");
                ee.add(Double.isNaN(e) ? 0 : e);
                su.add(Double.isNaN(s) ? 0 : s);
            }
            rat.put("energy efficiency (E_DN / E_x)", ee);
            rat.put("speedup (cycles_DN / cycles_x)", su);
            Charts.bars(dir.resolve("speedup-and-efficiency-vs-diannao.png"), m + ": normalised to DianNao (0 = not modelled)",
                "accelerator", "ratio to DianNao (x)", accs, rat, false);
        }
    }

    private static String g(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.9g", v);
    }
}
