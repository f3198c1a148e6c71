package org.smartdeal.hw.report;

import org.smartdeal.hw.model.AcceleratorModel;
import org.smartdeal.hw.model.Action;
import org.smartdeal.hw.model.CostModel;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Json;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.spec.Workload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The paper's Figs. 8-10 comparison (SmartDeal vs DianNao, Cambricon-X, SCNN, Bit-pragmatic on
 * seven models, HWMODEL.md 4.2) at given knobs, plus the one-at-a-time sweep of the ambiguous
 * knobs (batch, DRAM bandwidth, baseline weights, kappa, fusion) and of three other [A] choices (the tile capacity
 * fraction, the RF energy, the paper workloads' zero-row rule). Writes into {@code outDir}:
 * per-model layer CSV, action CSV and JSON; fig8/fig9/fig10 CSVs; PNG charts; sweep.csv and sweep-summary.md;
 * band-analysis.md ({@link BandAnalysis});
 * paper-comparison.md; paper-summary.json ({model: {accelerator: {energyPj, cycles, dramBytes}}});
 * the training-energy comparison's training-actions.csv and training-summary.json ({@link TrainingStudy}).
 */
public final class PaperStudy {
    /** Accelerators in report order: SmartDeal, then DianNao (the normalisation base) and the three other baselines. */
    public static final List<String> ACCELERATORS = List.of("smartdeal", "diannao", "cambriconx", "scnn", "bitpragmatic");
    /** HWMODEL.md 4.2's acceptance band of SmartDeal's energy efficiency over DianNao (the paper: 2.0-6.7x). */
    public static final double EE_LOW = 1.5, EE_HIGH = 8.7;
    /** HWMODEL.md 4.2's acceptance band of SmartDeal's speedup over DianNao (the paper: 8.8-19.2x). */
    public static final double SU_LOW = 6.8, SU_HIGH = 25;

    private PaperStudy() {
    }

    private static final String LAYERS_CSV = "layers.csv", ACTIONS_CSV = "actions.csv", SUMMARY_JSON = "paper-summary.json",
        KNOBS_JSON = "knobs.json", FIG8_CSV = "fig8-energy-efficiency-vs-diannao.csv", FIG9_CSV = "fig9-dram-vs-smartdeal.csv",
        FIG10_CSV = "fig10-speedup-vs-diannao.csv", FIG8_PNG = "fig8-energy-efficiency.png", FIG9_PNG = "fig9-dram.png",
        FIG10_PNG = "fig10-speedup.png", COMPARISON_MD = "paper-comparison.md", BAND_MD = "band-analysis.md",
        SWEEP_CSV = "sweep.csv", SWEEP_MD = "sweep-summary.md";

    private static String modelFile(String model, String accelerator) {
        return "models/" + model + "-" + accelerator + ".json";
    }

    private static String workloadFile(String model) {
        return "workloads/" + model + ".json";
    }

    private static String energyChart(String model) {
        return "charts/energy-by-level-" + model + ".png";
    }

    private static String dramChart(String model) {
        return "charts/dram-per-tensor-" + model + ".png";
    }

    /**
     * The files {@link #run} writes ({@link ReportFolder#MANIFEST} aside), known before the study runs, so that a
     * caller can check the folder first ({@link ReportFolder#check}).
     *
     * @param sweep whether the knob sweep is run
     */
    public static List<String> fileNames(boolean sweep) {
        List<String> out = new ArrayList<>(List.of(LAYERS_CSV, ACTIONS_CSV, SUMMARY_JSON, KNOBS_JSON, FIG8_CSV, FIG9_CSV, FIG10_CSV,
            FIG8_PNG, FIG9_PNG, FIG10_PNG, COMPARISON_MD, BAND_MD, TrainingStudy.ACTIONS_CSV, TrainingStudy.SUMMARY_JSON));
        if (sweep) out.addAll(List.of(SWEEP_CSV, SWEEP_MD));
        for (String m : PaperModels.NAMES) {
            out.addAll(List.of(workloadFile(m), energyChart(m), dramChart(m)));
            for (String a : ACCELERATORS) if (paperRuns(m, a)) out.add(modelFile(m, a));
        }
        return out;
    }

    /** Whether the paper ran a model on an accelerator (all but SCNN on the models it excludes). */
    private static boolean paperRuns(String model, String accelerator) {
        return !accelerator.equals("scnn") || PaperModels.scnnRuns(model);
    }

    /** Prices all seven paper models on every accelerator the paper ran them on. */
    public static Map<String, Map<String, ModelResult>> price(Map<String, Workload> workloads, ArchSpec a, EnergyTable e,
                                                              boolean benchmarkOnly) {
        Map<String, Map<String, ModelResult>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Workload> w : workloads.entrySet()) {
            Map<String, ModelResult> per = new LinkedHashMap<>();
            for (String name : ACCELERATORS) {
                if (!paperRuns(w.getKey(), name)) continue;
                AcceleratorModel acc = AcceleratorModel.all().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
                per.put(name, CostModel.price(acc, w.getValue(), a, e, benchmarkOnly));
            }
            out.put(w.getKey(), per);
        }
        return out;
    }

    /**
     * Runs the study and writes every output; returns the summary map written as paper-summary.json. The files
     * replace those of the report written to {@code outDir} before as one set ({@link ReportFolder}: e.g. no
     * sweep.csv is left from an earlier run when {@code sweep} is false; other files are never removed, and one
     * that has the name of a file the study writes is refused before anything is written).
     *
     * @param outDir output directory (created)
     * @param knobs  the knobs of the main run (the sweep varies them one at a time)
     * @param sweep  whether to run the knob sweep too
     */
    public static Map<String, Object> run(Path outDir, Knobs knobs, boolean sweep) {
        return run(outDir, knobs, sweep, what -> { });
    }

    /** Told as each part of the study is done (for a progress bar: {@link #steps} calls in all). */
    @FunctionalInterface
    public interface Listener {
        /** @param done what was just done, e.g. "priced 7 models" or "sweep: batch=16" */
        void stepDone(String done);
    }

    /**
     * @param sweep whether the knob sweep runs
     * @return how many times {@link Listener#stepDone} is called by {@link #run(Path, Knobs, boolean, Listener)}
     */
    public static int steps(boolean sweep) {
        return 4 + (sweep ? sweepConfigs(Knobs.defaults(), EnergyTable.paper28nm()).size() : 0);
    }

    /**
     * {@link #run(Path, Knobs, boolean)}, telling {@code listener} as each part is done: the pricing, the output files
     * and charts, the band analysis, the training study, and each sweep configuration.
     *
     * @param outDir   output directory (created)
     * @param knobs    the knobs of the main run
     * @param sweep    whether to run the knob sweep too
     * @param listener told {@link #steps(boolean)} times
     * @return the summary map written as paper-summary.json
     */
    public static Map<String, Object> run(Path outDir, Knobs knobs, boolean sweep, Listener listener) {
        List<Map<String, Object>> summary = new ArrayList<>(1);
        ReportFolder.write(outDir, dir -> summary.add(writeInto(dir, knobs, sweep, listener)));
        return summary.get(0);
    }

    private static Map<String, Object> writeInto(Path outDir, Knobs knobs, boolean sweep, Listener listener) {
        ArchSpec a = ArchSpec.paper().withKnobs(knobs);
        EnergyTable e = EnergyTable.paper28nm();
        Map<String, Workload> wl = new LinkedHashMap<>();
        for (String m : PaperModels.NAMES) wl.put(m, PaperModels.workload(m, knobs, a));
        Map<String, Map<String, ModelResult>> res = price(wl, a, e, false);
        listener.stepDone("priced " + wl.size() + " models");

        StringBuilder layers = new StringBuilder(Reports.layerCsvHeader()), actions = new StringBuilder(Reports.actionsCsvHeader());
        Map<String, Object> summary = new LinkedHashMap<>();
        for (var m : res.entrySet()) {
            Map<String, Object> perAcc = new LinkedHashMap<>();
            for (ModelResult r : m.getValue().values()) {
                layers.append(Reports.layerCsvRows(r));
                actions.append(Reports.actionsCsvRows(r, e));
                Reports.write(outDir.resolve(modelFile(m.getKey(), r.accelerator())), Json.write(Reports.modelJson(r, wl.get(m.getKey()), a, e)));
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("energyPj", r.energyPj()); t.put("cycles", r.cycles()); t.put("dramBytes", r.dramBytes());
                perAcc.put(r.accelerator(), t);
            }
            summary.put(m.getKey(), perAcc);
            Map<String, Object> shapes = new LinkedHashMap<>();
            shapes.put("model", m.getKey());
            shapes.put("statsSource", wl.get(m.getKey()).notes());
            shapes.put("layers", PaperModels.layersAsMaps(m.getKey()));
            Reports.write(outDir.resolve(workloadFile(m.getKey())), Json.write(shapes));
        }
        Reports.write(outDir.resolve(LAYERS_CSV), layers.toString());
        Reports.write(outDir.resolve(ACTIONS_CSV), actions.toString());
        Reports.write(outDir.resolve(SUMMARY_JSON), Json.write(summary));
        Map<String, Object> knobEcho = new LinkedHashMap<>(Specs.toMap(a));
        knobEcho.put("energyTable", Specs.toMap(e));
        knobEcho.put("sourcesOfDefaults", Reports.sourcesOfDefaults(a, e));
        knobEcho.put("paperWorkloads", PaperModels.assumptions());
        Reports.write(outDir.resolve(KNOBS_JSON), Json.write(knobEcho));
        Reports.write(outDir.resolve(FIG8_CSV), ratioCsv(res, "ee"));
        Reports.write(outDir.resolve(FIG9_CSV), ratioCsv(res, "dram"));
        Reports.write(outDir.resolve(FIG10_CSV), ratioCsv(res, "speedup"));
        Reports.write(outDir.resolve(COMPARISON_MD), comparisonMarkdown(res, knobs));
        charts(outDir, res);
        listener.stepDone("wrote tables and charts");
        Reports.write(outDir.resolve(BAND_MD), BandAnalysis.markdown(BandAnalysis.rows(knobs)));
        listener.stepDone("band analysis");
        TrainingStudy.run(outDir); // Tables V/VI on the paper platform, independent of the knobs
        listener.stepDone("training study");
        if (sweep) {
            String[] sw = sweep(wl, knobs, e, listener);
            Reports.write(outDir.resolve(SWEEP_CSV), sw[0]);
            Reports.write(outDir.resolve(SWEEP_MD), sw[1]);
        }
        return summary;
    }

    /** Whether SmartDeal's energy efficiency over DianNao is inside HWMODEL.md 4.2's band. */
    private static boolean inEeBand(double ee) {
        return ee >= EE_LOW && ee <= EE_HIGH;
    }

    /** Whether SmartDeal's speedup over DianNao is inside HWMODEL.md 4.2's band. */
    private static boolean inSuBand(double su) {
        return su >= SU_LOW && su <= SU_HIGH;
    }

    /** Whether SmartDeal's figure is strictly below every other accelerator's (a tie is not lowest). */
    private static boolean sdLowest(Map<String, ModelResult> per, java.util.function.ToDoubleFunction<ModelResult> figure) {
        ModelResult sd = per.get("smartdeal");
        return per.values().stream().allMatch(x -> x == sd || figure.applyAsDouble(x) > figure.applyAsDouble(sd));
    }

    static double ratio(Map<String, ModelResult> per, String acc, String kind) {
        ModelResult x = per.get(acc), dn = per.get("diannao"), sd = per.get("smartdeal");
        if (x == null) return Double.NaN;
        return switch (kind) {
            case "ee" -> dn.energyPj() / x.energyPj();
            case "speedup" -> dn.cycles() / x.cycles();
            case "dram" -> x.dramBytes() / sd.dramBytes();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static String ratioCsv(Map<String, Map<String, ModelResult>> res, String kind) {
        StringBuilder b = new StringBuilder("model," + String.join(",", ACCELERATORS) + "\n");
        for (var m : res.entrySet()) {
            b.append(m.getKey());
            for (String acc : ACCELERATORS) b.append(',').append(Reports.g(ratio(m.getValue(), acc, kind)));
            b.append('\n');
        }
        return b.toString();
    }

    /** The Markdown comparison table of HWMODEL.md 4.2 for the given results. */
    public static String comparisonMarkdown(Map<String, Map<String, ModelResult>> res, Knobs k) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Knobs: %s%n%n", Specs.toMap(k)));
        b.append("| model | SD EE/DN | SD speedup/DN | SD energy gain over CX / SCNN / PRA | SD speedup over CX / SCNN / PRA "
            + "| DRAM baseline/SD: DN / CX / SCNN / PRA | bands (EE in [" + Specs.plain(EE_LOW) + "," + Specs.plain(EE_HIGH) + "], SU in ["
            + Specs.plain(SU_LOW) + "," + Specs.plain(SU_HIGH) + "], SD lowest E and latency) |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        double[] sum = new double[3], logSum = new double[3];
        int[] cnt = new int[3];
        for (var m : res.entrySet()) {
            var p = m.getValue();
            ModelResult sd = p.get("smartdeal");
            double ee = ratio(p, "smartdeal", "ee"), su = ratio(p, "smartdeal", "speedup");
            boolean lowest = sdLowest(p, ModelResult::energyPj) && sdLowest(p, ModelResult::cycles);
            String[] bl = {"cambriconx", "scnn", "bitpragmatic"};
            StringBuilder eg = new StringBuilder(), sg = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                ModelResult x = p.get(bl[i]);
                eg.append(i > 0 ? " / " : "").append(x == null ? "-" : f(x.energyPj() / sd.energyPj()));
                sg.append(i > 0 ? " / " : "").append(x == null ? "-" : f(x.cycles() / sd.cycles()));
                if (x != null) { sum[i] += x.cycles() / sd.cycles(); logSum[i] += Math.log(x.cycles() / sd.cycles()); cnt[i]++; }
            }
            StringBuilder dr = new StringBuilder();
            for (String acc : List.of("diannao", "cambriconx", "scnn", "bitpragmatic"))
                dr.append(dr.length() > 0 ? " / " : "").append(p.containsKey(acc) ? f(ratio(p, acc, "dram")) : "-");
            String ok = (inEeBand(ee) ? "EE ok" : "EE MISS") + ", " + (inSuBand(su) ? "SU ok" : "SU MISS") + ", "
                + (lowest ? "lowest ok" : "lowest MISS");
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", m.getKey(), f(ee), f(su), eg, sg, dr, ok));
        }
        // the paper says "on average" without saying which mean: the arithmetic one, and the geometric one, which
        // ratios call for
        b.append(String.format(Locale.ROOT, "%nMean SD speedup over CX / SCNN / PRA: %s / %s / %s (paper: 2.5 / 3.8 / 2.0); "
            + "geometric mean %s / %s / %s%n", f(sum[0] / cnt[0]), f(sum[1] / cnt[1]), f(sum[2] / cnt[2]),
            f(Math.exp(logSum[0] / cnt[0])), f(Math.exp(logSum[1] / cnt[1])), f(Math.exp(logSum[2] / cnt[2]))));
        return b.toString();
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static void charts(Path out, Map<String, Map<String, ModelResult>> res) {
        List<String> models = new ArrayList<>(res.keySet());
        for (String kind : List.of("ee", "speedup")) {
            Map<String, List<Double>> s = new LinkedHashMap<>();
            for (String acc : ACCELERATORS) {
                List<Double> v = new ArrayList<>();
                for (String m : models) { double r = ratio(res.get(m), acc, kind); v.add(Double.isNaN(r) ? 0.0 : r); }
                s.put(acc, v);
            }
            boolean ee = kind.equals("ee");
            // the target band SmartDeal's bars should reach, drawn across the models (the paper's range inside it)
            Map<String, Double> band = new LinkedHashMap<>();
            double low = ee ? EE_LOW : SU_LOW, high = ee ? EE_HIGH : SU_HIGH;
            band.put("target band, low: " + Specs.plain(low) + "x (paper " + (ee ? "2.0-6.7x" : "8.8-19.2x") + ")", low);
            band.put("target band, high: " + Specs.plain(high) + "x", high);
            Charts.bars(out.resolve(ee ? FIG8_PNG : FIG10_PNG),
                ee ? "Energy efficiency normalised to DianNao (Fig. 8 analogue)" : "Speedup normalised to DianNao, batch latency (Fig. 10 analogue)",
                "model", ee ? "E_DianNao / E_x (x)" : "cycles_DianNao / cycles_x (x)", models, s, false, band);
        }
        Map<String, List<Double>> dram = new LinkedHashMap<>();
        for (String acc : ACCELERATORS) {
            List<Double> v = new ArrayList<>();
            for (String m : models) { double r = ratio(res.get(m), acc, "dram"); v.add(Double.isNaN(r) ? 0.0 : r); }
            dram.put(acc, v);
        }
        Charts.bars(out.resolve(FIG9_PNG), "DRAM bytes normalised to SmartDeal (Fig. 9 analogue)", "model",
            "bytes_x / bytes_SmartDeal (x)", models, dram, false);
        for (String m : models) {
            List<String> accs = new ArrayList<>(res.get(m).keySet());
            Map<String, List<Double>> lv = new LinkedHashMap<>(), tn = new LinkedHashMap<>();
            for (Action.Level l : Action.Level.values()) {
                List<Double> v = new ArrayList<>();
                for (String acc : accs) {
                    double s = 0;
                    for (Action.Data d : Action.Data.values()) s += res.get(m).get(acc).energyPj(l, d);
                    v.add(s / 1e6);
                }
                lv.put(l.name(), v);
            }
            for (String t : List.of("W", "I", "O", "psum")) {
                List<Double> v = new ArrayList<>();
                for (String acc : accs) v.add(res.get(m).get(acc).dramBytes(t) / 1e6);
                tn.put(t, v);
            }
            Charts.bars(out.resolve(energyChart(m)), m + ": energy by level", "accelerator", "energy (uJ)", accs, lv, true);
            Charts.bars(out.resolve(dramChart(m)), m + ": DRAM traffic per tensor", "accelerator", "DRAM (MB, 10^6 bytes)", accs, tn, true);
        }
    }

    /**
     * One row of the knob sweep: the architecture with its knobs, the energy table, and the zero-row fraction of every
     * layer but the first of every paper workload (empty: each model's own, {@link PaperModels#rowZero} under the
     * row's knobs).
     */
    private record SweepConfig(ArchSpec arch, EnergyTable table, OptionalDouble rowZeroAll) {
        SweepConfig(ArchSpec arch, EnergyTable table) {
            this(arch, table, OptionalDouble.empty());
        }

        /**
         * The workloads this row prices: {@code wl}, the paper workloads built under {@code base}, unless the row
         * changes their zero-row fraction; then the same models built anew.
         */
        Map<String, Workload> workloads(Map<String, Workload> wl, Knobs base) {
            if (rowZeroAll.isEmpty() && arch.knobs().rowZeroDefault() == base.rowZeroDefault()) return wl;
            Map<String, Workload> out = new LinkedHashMap<>();
            for (String m : wl.keySet())
                out.put(m, PaperModels.workload(m, arch, rowZeroAll.orElse(PaperModels.rowZero(m, arch.knobs()))));
            return out;
        }
    }

    /**
     * The knob sweep's configurations, by name, each changing one knob of {@code base} or one [A] entry of the
     * architecture, the energy table or the paper workloads' zero-row rule.
     */
    private static Map<String, SweepConfig> sweepConfigs(Knobs base, EnergyTable e) {
        ArchSpec paper = ArchSpec.paper();
        Map<String, SweepConfig> cfg = new LinkedHashMap<>();
        cfg.put("default", new SweepConfig(paper.withKnobs(base), e));
        cfg.put("batch=16", new SweepConfig(paper.withKnobs(base.withBatch(16)), e));
        for (double bw : new double[] {12.8, 64, Double.POSITIVE_INFINITY})
            cfg.put("dramBw=" + bw, new SweepConfig(paper.withKnobs(base.withBw(bw)), e));
        cfg.put("baselineWeights=DENSE", new SweepConfig(paper.withKnobs(base.withBaselineWeights(Knobs.BaselineWeights.DENSE)), e));
        cfg.put("kappaPerSliceFetch=true", new SweepConfig(paper.withKnobs(base.withKappa(true)), e));
        cfg.put("fuseOnChip=true", new SweepConfig(paper.withKnobs(new Knobs(base.batch(), base.dramBwBytesPerCycle(),
            base.baselineWeights(), base.kappaPerSliceFetch(), true, base.rowZeroDefault())), e));
        // arch-v1.json's [A] tileCapFraction 0.5 (double buffering): a tile may use the whole buffer
        cfg.put("tileCapFraction=1.0", new SweepConfig(paper.withKnobs(base).withTileCapFraction(1.0), e));
        // energy-table-v1.json's [A] RF energy, which prices every design's accumulators: halved
        double rf = e.rfPjPer8Bit() / 2;
        cfg.put("rfPjPer8Bit=" + Reports.g(rf), new SweepConfig(paper.withKnobs(base), e.withRfPjPer8Bit(rf)));
        // the zero-row rule: MobileNetV2's stated 27.1% for the five models the paper gives no value for, then no
        // stated value used at all (every model at the knob's own value)
        double mbv2 = PaperModels.rowZero("mobilenetv2", base);
        cfg.put("rowZeroDefault=" + Reports.g(mbv2), new SweepConfig(paper.withKnobs(new Knobs(base.batch(),
            base.dramBwBytesPerCycle(), base.baselineWeights(), base.kappaPerSliceFetch(), base.fuseOnChip(), mbv2)), e));
        cfg.put("statedRowZero=off", new SweepConfig(paper.withKnobs(base), e, OptionalDouble.of(base.rowZeroDefault())));
        return cfg;
    }

    /**
     * One-at-a-time sweep of the ambiguous knobs of HWMODEL.md 4.2 and the fusion knob, plus arch-v1.json's [A] tile
     * capacity fraction, energy-table-v1.json's [A] RF energy and the paper workloads' zero-row rule (benchmark layers
     * only): {CSV, Markdown}. The Markdown table's last column counts, per row, the models in each band and those on
     * which SmartDeal has the lowest energy and the lowest latency. The two zero-row rows are relative to
     * {@code base}: rowZeroDefault=0.271 gives the models without a stated fraction MobileNetV2's, and
     * statedRowZero=off gives every model {@code base.rowZeroDefault()} (0 by default).
     *
     * @param wl   the paper workloads, built by {@link PaperModels#workload(String, Knobs, ArchSpec)} under {@code base}
     *             (the zero-row rows build the same models anew)
     * @param base the knobs every row starts from
     * @param e    the energy table every row but the RF one prices with
     */
    static String[] sweep(Map<String, Workload> wl, Knobs base, EnergyTable e, Listener listener) {
        Map<String, SweepConfig> cfg = sweepConfigs(base, e);
        StringBuilder md = new StringBuilder("| config | " + String.join(" | ", wl.keySet()) + " | models in EE band / SU band "
            + "/ SD lowest energy / SD lowest latency |\n|---|");
        for (int i = 0; i <= wl.size(); i++) md.append("---|");
        md.append("\n");
        StringBuilder b = new StringBuilder("config,model,accelerator,energy_pJ,cycles,dram_bytes,ee_vs_diannao,speedup_vs_diannao,"
            + "dram_vs_smartdeal,sd_energy_gain_over_x,sd_speedup_over_x\n");
        for (var c : cfg.entrySet()) {
            SweepConfig sc = c.getValue();
            var res = price(sc.workloads(wl, base), sc.arch(), sc.table(), true);
            listener.stepDone("sweep: " + c.getKey());
            md.append("| ").append(c.getKey()).append(" |");
            int[] met = new int[4];
            for (var m : res.values()) {
                double minDram = m.keySet().stream().filter(x -> !x.equals("smartdeal")).mapToDouble(x -> ratio(m, x, "dram")).min().orElse(Double.NaN);
                double ee = ratio(m, "smartdeal", "ee"), su = ratio(m, "smartdeal", "speedup");
                md.append(' ').append(f(ee)).append(" / ").append(f(su)).append(" / ").append(f(minDram)).append(" |");
                if (inEeBand(ee)) met[0]++;
                if (inSuBand(su)) met[1]++;
                if (sdLowest(m, ModelResult::energyPj)) met[2]++;
                if (sdLowest(m, ModelResult::cycles)) met[3]++;
            }
            md.append(String.format(Locale.ROOT, " %d / %d / %d / %d of %d |\n", met[0], met[1], met[2], met[3], res.size()));
            for (var m : res.entrySet())
                for (ModelResult x : m.getValue().values()) {
                    ModelResult sd = m.getValue().get("smartdeal");
                    b.append(String.join(",", c.getKey(), m.getKey(), x.accelerator(), Reports.g(x.energyPj()), Reports.g(x.cycles()),
                        Reports.g(x.dramBytes()), Reports.g(ratio(m.getValue(), x.accelerator(), "ee")),
                        Reports.g(ratio(m.getValue(), x.accelerator(), "speedup")), Reports.g(ratio(m.getValue(), x.accelerator(), "dram")),
                        Reports.g(x.energyPj() / sd.energyPj()), Reports.g(x.cycles() / sd.cycles()))).append('\n');
                }
        }
        return new String[] {b.toString(), "SD energy efficiency vs DianNao / SD speedup vs DianNao / min over baselines of "
            + "DRAM_x/DRAM_SD (benchmark layers; one knob or [A] entry changed from the default per row); the last "
            + "column counts the models whose EE is in [" + Specs.plain(EE_LOW) + ", " + Specs.plain(EE_HIGH) + "], whose speedup is in [" + Specs.plain(SU_LOW)
            + ", " + Specs.plain(SU_HIGH) + "], and on which SmartDeal has the lowest energy and the lowest latency of the "
            + "accelerators priced\n\n" + md};
    }

    /**
     * Command line: {@code PaperStudy OUT_DIR [--batch N] [--dram-bw X|inf] [--baseline SAME|DENSE] [--no-sweep]}.
     * Prints the comparison table and the wall time.
     */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: PaperStudy OUT_DIR [--batch N] [--dram-bw X|inf] [--baseline SAME|DENSE] [--no-sweep]");
            System.exit(2);
        }
        Knobs k = Knobs.defaults();
        boolean sweep = true;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--batch" -> k = k.withBatch(Integer.parseInt(args[++i]));
                case "--dram-bw" -> { String v = args[++i]; k = k.withBw(v.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v)); }
                case "--baseline" -> k = k.withBaselineWeights(Knobs.BaselineWeights.valueOf(args[++i]));
                case "--no-sweep" -> sweep = false;
                default -> { System.err.println("unknown option " + args[i]); System.exit(2); }
            }
        }
        long t0 = System.nanoTime();
        Path out = Path.of(args[0]);
        run(out, k, sweep);
        System.out.println(new String(readOrEmpty(out.resolve("paper-comparison.md"))));
        System.out.printf(Locale.ROOT, "wrote %s in %.1f s%n", out.toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
    }

    private static byte[] readOrEmpty(Path p) {
        try {
            return java.nio.file.Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            return new byte[0];
        }
    }
}
