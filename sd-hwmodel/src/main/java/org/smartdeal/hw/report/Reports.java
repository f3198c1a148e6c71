package org.smartdeal.hw.report;

import org.smartdeal.hw.model.Action;
import org.smartdeal.hw.model.Derivation;
import org.smartdeal.hw.model.LayerResult;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.model.Tiling;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.spec.Workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CSV and JSON writers. Units are in the column names ({@code _pJ}, {@code _bytes}, {@code _cycles}) or in
 * a unit column ({@code count_unit}, {@code work_unit}); the actions CSV lists every count with its
 * energy-table unit and unit energy, so each energy figure is traceable to count x table entry. Numbers
 * are written round-trippably ({@link #g}). The columns are described in docs/HWMODEL-RESULTS.md
 * ("Output files").
 */
public final class Reports {
    private Reports() {
    }

    /** Per-layer CSV header (columns: docs/HWMODEL-RESULTS.md "Output files"). */
    public static String layerCsvHeader() {
        StringBuilder h = new StringBuilder("model,accelerator,layer,type,N,M,C,G,R,S,H,W,E,F,U,pad,padW,dil,inBenchmark,"
            + "tN,tM,tC,tE,tF,loopOrder,ccomp_cycles,cdram_cycles,fill_cycles,cycles,boundBy,utilisation,"
            + "dramW_bytes,dramI_bytes,dramO_bytes,dramPsum_bytes,dram_bytes,firstWTile_bytes,firstITile_bytes,"
            + "work_ops,work_unit,peak_work_per_cycle");
        for (Action.Level lv : Action.Level.values())
            for (Action.Data d : Action.Data.values()) h.append(",E_").append(lv).append('_').append(d).append("_pJ");
        return h.append(",E_total_pJ,ccomp_formula,ccomp_quantities\n").toString();
    }

    /** Per-layer CSV rows of one model on one accelerator. */
    public static String layerCsvRows(ModelResult m) {
        String unit = m.workUnit();
        StringBuilder b = new StringBuilder();
        for (LayerResult r : m.layers()) {
            var l = r.layer();
            Tiling t = r.counts().tiling();
            b.append(String.join(",", csv(m.model()), csv(m.accelerator()), csv(l.id()), l.type().name(), i(l.batch()), i(l.m()), i(l.c()),
                i(l.groups()), i(l.r()), i(l.s()), i(l.h()), i(l.w()), i(l.e()), i(l.f()), i(l.stride()), i(l.pad()), i(l.padW()), i(l.dil()),
                String.valueOf(l.inBenchmark()), i(t.tN()), i(t.tM()), i(t.tC()), i(t.tE()), i(t.tF()), t.order(),
                g(r.counts().ccomp()), g(r.cdram()), g(r.fill()), g(r.cycles()), r.boundBy(), g(r.utilisation()), g(t.wBytes()),
                g(t.iBytes()), g(t.oBytes()), g(t.psumBytes()), g(t.dramBytes()), g(t.firstWTile()), g(t.firstITile()),
                g(r.counts().work()), unit, g(r.counts().peakPerCycle())));
            for (double[] row : r.energyPj()) for (double v : row) b.append(',').append(g(v));
            Derivation d = r.counts().derivation();
            b.append(',').append(g(r.totalPj())).append(',').append(d.ccompFormula()).append(',')
                .append(d.quantitiesText()).append('\n');
        }
        return b.toString();
    }

    /** Actions CSV header (columns: docs/HWMODEL-RESULTS.md "Output files"). */
    public static String actionsCsvHeader() {
        return "model,accelerator,layer,inBenchmark,level,data,action,count,count_unit,unit,unit_pJ,energy_pJ\n";
    }

    /** Every action of every layer: count x unit energy = energy. */
    public static String actionsCsvRows(ModelResult m, EnergyTable e) {
        StringBuilder b = new StringBuilder();
        for (LayerResult r : m.layers())
            for (Action a : r.counts().actions()) {
                double u = a.unit().equals("leakageCycle") ? e.staticMw() : e.pj(a.unit());
                b.append(String.join(",", csv(m.model()), csv(m.accelerator()), csv(r.layer().id()),
                    String.valueOf(r.layer().inBenchmark()), a.level().name(), a.data().name(),
                    '"' + a.name().replace("\"", "\"\"") + '"', g(a.count()), a.countUnit(), a.unit(), g(u),
                    g(a.count() * u))).append('\n');
            }
        return b.toString();
    }

    /**
     * What the totals of one priced model cover, in words: the layers summed, the priced layers left out
     * ({@code inBenchmark = false}: a paper workload's classifier FC, EfficientNet-B0's SE FCs) and the workload's
     * layers this accelerator has no model for (SCNN: FC).
     */
    public static String scope(ModelResult m, Workload w) {
        List<LayerSpec> in = new ArrayList<>(), out = new ArrayList<>(), unpriced = unpriced(m, w);
        for (LayerResult r : m.layers()) (r.layer().inBenchmark() ? in : out).add(r.layer());
        StringBuilder b = new StringBuilder("sums over the ").append(in.size()).append(" priced layers with inBenchmark = true");
        if (out.isEmpty() && unpriced.isEmpty()) b.append(" (every layer of ").append(w.name()).append(')');
        if (!out.isEmpty()) b.append("; priced but outside the totals (inBenchmark = false): ").append(describe(out));
        if (!unpriced.isEmpty())
            b.append("; not priced (").append(m.accelerator()).append(" has no model for them): ").append(describe(unpriced));
        return b.toString();
    }

    /**
     * The workload's layers that {@code m} did not price, in workload order. Told apart by layer, not by name: DL4J
     * does not make a MultiLayerNetwork's layer names unique. Each priced layer (the workload's at the priced batch)
     * accounts for one workload layer equal to it.
     *
     * @param m the priced model
     * @param w the workload it was priced on
     * @return the layers not priced (at the workload's batch)
     */
    public static List<LayerSpec> unpriced(ModelResult m, Workload w) {
        List<LayerSpec> out = new ArrayList<>();
        for (Workload.Entry x : w.layers()) out.add(x.layer());
        for (LayerResult r : m.layers()) {
            LayerSpec l = r.layer();
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).withBatch(l.batch()).equals(l)) {
                    out.remove(i);
                    break;
                }
            }
        }
        return out;
    }

    /**
     * What a workload's totals sum, in words: the number of {@code inBenchmark} layers, and the layers left out of
     * the totals (a paper workload's classifier FC, EfficientNet-B0's SE FCs; none in a DL4J network).
     */
    public static String benchmarkScope(Workload w) {
        List<LayerSpec> out = new ArrayList<>();
        for (Workload.Entry x : w.layers()) if (!x.layer().inBenchmark()) out.add(x.layer());
        int n = w.layers().size();
        StringBuilder b = new StringBuilder("sums over the ").append(n - out.size()).append(" of ").append(n)
            .append(" layers with inBenchmark = true");
        b.append(out.isEmpty() ? " (every layer, the classifier included)" : "; outside the totals: " + describe(out));
        return b.toString();
    }

    /** "2 FC (fc1, fc2)" per layer type, at most three names each. */
    public static String describe(List<LayerSpec> layers) {
        Map<String, List<String>> byType = new LinkedHashMap<>();
        for (LayerSpec l : layers) byType.computeIfAbsent(l.type().name(), k -> new ArrayList<>()).add(l.id());
        List<String> parts = new ArrayList<>();
        for (var e : byType.entrySet()) {
            List<String> ids = e.getValue();
            String names = String.join(", ", ids.subList(0, Math.min(3, ids.size()))) + (ids.size() > 3 ? ", ..." : "");
            String kind = e.getKey().equals("SE_FC") ? "SE_FC (squeeze-and-excitation FC)" : e.getKey();
            parts.add(ids.size() + " " + kind + " (" + names + ")");
        }
        return String.join(", ", parts);
    }

    /**
     * Model totals with the energy matrix, DRAM per tensor, what the totals cover ({@link #scope}), every knob,
     * the architecture and energy table, and per layer the tiling, cycles, work and actions. An accelerator that
     * priced none of the benchmark layers (SCNN on an all-FC network) has null totals, as in summary.json, not 0.
     *
     * @param w the priced workload (for the layers the accelerator did not price)
     */
    public static Map<String, Object> modelJson(ModelResult m, Workload w, ArchSpec a, EnergyTable e) {
        boolean none = m.benchmarkLayersPriced() == 0;
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", m.model());
        o.put("accelerator", m.accelerator());
        o.put("energyPj", none ? Double.NaN : m.energyPj());
        o.put("cycles", none ? Double.NaN : m.cycles());
        o.put("dramBytes", none ? Double.NaN : m.dramBytes());
        Map<String, Object> dram = new LinkedHashMap<>();
        for (String t : List.of("W", "I", "O", "psum")) dram.put(t + "Bytes", m.dramBytes(t));
        o.put("dramBytesPerTensor", dram);
        Map<String, Object> en = new LinkedHashMap<>();
        for (Action.Level lv : Action.Level.values())
            for (Action.Data d : Action.Data.values()) en.put(lv + "_" + d + "_pJ", m.energyPj(lv, d));
        o.put("energyByLevelAndData", en);
        o.put("scope", scope(m, w));
        o.put("workUnit", m.workUnit());
        o.put("knobs", Specs.toMap(a.knobs()));
        o.put("arch", Specs.toMap(a));
        o.put("energyTable", Specs.toMap(e));
        List<Object> layers = new ArrayList<>();
        for (LayerResult r : m.layers()) {
            Map<String, Object> x = new LinkedHashMap<>(r.layer().toMap());
            x.put("tiling", Specs.toMap(r.counts().tiling()));
            x.put("ccompCycles", r.counts().ccomp());
            if (!r.counts().derivation().isEmpty()) {
                x.put("ccompFormula", r.counts().derivation().ccompFormula());
                x.put("ccompQuantities", r.counts().derivation().quantities());
            }
            x.put("cycles", r.cycles());
            x.put("boundBy", r.boundBy());
            x.put("utilisation", r.utilisation());
            x.put("work", r.counts().work());
            x.put("peakWorkPerCycle", r.counts().peakPerCycle());
            x.put("energyPj", r.totalPj());
            List<Object> acts = new ArrayList<>();
            for (Action ac : r.counts().actions()) {
                Map<String, Object> y = new LinkedHashMap<>();
                y.put("level", ac.level().name()); y.put("data", ac.data().name()); y.put("action", ac.name());
                y.put("count", ac.count()); y.put("countUnit", ac.countUnit()); y.put("unit", ac.unit());
                acts.add(y);
            }
            x.put("actions", acts);
            layers.add(x);
        }
        o.put("layers", layers);
        return o;
    }

    /**
     * Where the shipped defaults come from, for the reports beside the values: the {@code sources} of
     * {@code knobs-v1.json} and {@code arch-v1.json} (when the architecture's resources are the paper's, whatever its
     * knobs; otherwise the knobs are the caller's architecture's) and {@code energy-table-v1.json} (when the paper's
     * table is the one used). A value an option replaced
     * keeps its default's note; the values used are the report's {@code knobs}, {@code arch} and {@code energyTable}.
     */
    public static Map<String, Object> sourcesOfDefaults(ArchSpec a, EnergyTable e) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("note", "where each shipped default comes from: [P ...] the paper (table or section), [A] an assumption "
            + "and its reason; the values used are under knobs, arch and energyTable (an option may have replaced a "
            + "default); cycles are at the 1 GHz clock of Table IX, so staticMw mW is staticMw pJ per cycle");
        boolean paperArch = a.withKnobs(ArchSpec.paper().knobs()).equals(ArchSpec.paper());
        o.put("knobs", paperArch ? Specs.sources("knobs-v1.json")
            : "the knobs of the caller's architecture (not knobs-v1.json), options applied over them: their values are "
            + "under knobs");
        o.put("arch", paperArch ? Specs.sources("arch-v1.json")
            : "an architecture of the caller's own (not arch-v1.json): its values are under arch");
        o.put("energyTable", e.equals(EnergyTable.paper28nm()) ? Specs.sources("energy-table-v1.json")
            : "a table of the caller's own (not energy-table-v1.json): its values are under energyTable");
        return o;
    }

    /**
     * Writes text to a file, creating parent directories with {@link org.smartdeal.codec.AtomicFiles#createDirectories}
     * (refused once the JVM is shutting down, so that a report folder being staged, which the shutdown deletes, is not
     * made again: {@link ReportFolder}).
     *
     * @throws UncheckedIOException from the file system, or an {@link java.io.InterruptedIOException} when the JVM is
     *                              shutting down
     */
    public static void write(Path p, String text) {
        try {
            org.smartdeal.codec.AtomicFiles.createDirectories(p.toAbsolutePath().getParent());
            Files.writeString(p, text);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A text field of a CSV row (a model's name, which may be a file's stem, a DL4J layer's name) as RFC 4180 writes
     * it: in double quotes with its quotes doubled when it holds a comma, a quote or a line break, so that the row keeps
     * its columns; as it is otherwise. sd-zoo's conversion and sweep reports write their names with it too.
     */
    public static String csv(String text) {
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) return text;
        return '"' + text.replace("\"", "\"\"") + '"';
    }

    static String i(int v) {
        return Integer.toString(v);
    }

    /**
     * Number formatting used in all CSVs: {@link Double#toString}, which parses back to the same double
     * ({@code Double.parseDouble}, Python {@code float}), so sums re-computed from a CSV reproduce the JSON
     * totals; {@code NaN} for an absent value, {@code Infinity} for an unbounded one.
     */
    public static String g(double v) {
        return Double.toString(v);
    }
}
