package org.smartdeal.hw.report;

import org.smartdeal.hw.model.Action;
import org.smartdeal.hw.model.LayerResult;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.model.Tiling;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Specs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CSV and JSON writers. Units are in the column names ({@code _pJ}, {@code _bytes}, {@code _cycles});
 * the actions CSV lists every count with its energy-table unit and unit energy, so each energy
 * figure is traceable to count x table entry.
 */
public final class Reports {
    private Reports() {
    }

    /** Per-layer CSV header. */
    public static String layerCsvHeader() {
        StringBuilder h = new StringBuilder("model,accelerator,layer,type,N,M,C,G,R,S,H,W,E,F,U,inBenchmark,"
            + "tN,tM,tC,tE,tF,loopOrder,ccomp_cycles,cdram_cycles,fill_cycles,cycles,boundBy,utilisation,"
            + "dramW_bytes,dramI_bytes,dramO_bytes,dramPsum_bytes,dram_bytes,work_ops");
        for (Action.Level lv : Action.Level.values())
            for (Action.Data d : Action.Data.values()) h.append(",E_").append(lv).append('_').append(d).append("_pJ");
        return h.append(",E_total_pJ\n").toString();
    }

    /** Per-layer CSV rows of one model on one accelerator. */
    public static String layerCsvRows(ModelResult m) {
        StringBuilder b = new StringBuilder();
        for (LayerResult r : m.layers()) {
            var l = r.layer();
            Tiling t = r.counts().tiling();
            b.append(String.join(",", m.model(), m.accelerator(), l.id(), l.type().name(), i(l.batch()), i(l.m()), i(l.c()),
                i(l.groups()), i(l.r()), i(l.s()), i(l.h()), i(l.w()), i(l.e()), i(l.f()), i(l.stride()), String.valueOf(l.inBenchmark()),
                i(t.tN()), i(t.tM()), i(t.tC()), i(t.tE()), i(t.tF()), t.order(), g(r.counts().ccomp()), g(r.cdram()), g(r.fill()),
                g(r.cycles()), r.boundBy(), g(r.utilisation()), g(t.wBytes()), g(t.iBytes()), g(t.oBytes()), g(t.psumBytes()),
                g(t.dramBytes()), g(r.counts().work())));
            for (double[] row : r.energyPj()) for (double v : row) b.append(',').append(g(v));
            b.append(',').append(g(r.totalPj())).append('\n');
        }
        return b.toString();
    }

    /** Actions CSV header. */
    public static String actionsCsvHeader() {
        return "model,accelerator,layer,level,data,action,count,unit,unit_pJ,energy_pJ\n";
    }

    /** Every action of every layer: count x unit energy = energy. */
    public static String actionsCsvRows(ModelResult m, EnergyTable e) {
        StringBuilder b = new StringBuilder();
        for (LayerResult r : m.layers())
            for (Action a : r.counts().actions()) {
                double u = a.unit().equals("leakageCycle") ? e.staticMw() : e.pj(a.unit());
                b.append(String.join(",", m.model(), m.accelerator(), r.layer().id(), a.level().name(), a.data().name(),
                    '"' + a.name() + '"', g(a.count()), a.unit(), g(u), g(a.count() * u))).append('\n');
            }
        return b.toString();
    }

    /** Model totals with the energy matrix, DRAM per tensor, every knob, the architecture and energy table. */
    public static Map<String, Object> modelJson(ModelResult m, ArchSpec a, EnergyTable e) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", m.model());
        o.put("accelerator", m.accelerator());
        o.put("energyPj", m.energyPj());
        o.put("cycles", m.cycles());
        o.put("dramBytes", m.dramBytes());
        Map<String, Object> dram = new LinkedHashMap<>();
        for (String t : List.of("W", "I", "O", "psum")) dram.put(t + "Bytes", m.dramBytes(t));
        o.put("dramBytesPerTensor", dram);
        Map<String, Object> en = new LinkedHashMap<>();
        for (Action.Level lv : Action.Level.values())
            for (Action.Data d : Action.Data.values()) en.put(lv + "_" + d + "_pJ", m.energyPj(lv, d));
        o.put("energyByLevelAndData", en);
        o.put("scope", "sums over inBenchmark layers (classifier FC excluded, as Figs. 8-10)");
        o.put("knobs", Specs.toMap(a.knobs()));
        o.put("arch", Specs.toMap(a));
        o.put("energyTable", Specs.toMap(e));
        List<Object> layers = new ArrayList<>();
        for (LayerResult r : m.layers()) {
            Map<String, Object> x = new LinkedHashMap<>(r.layer().toMap());
            x.put("tiling", Specs.toMap(r.counts().tiling()));
            x.put("ccompCycles", r.counts().ccomp());
            x.put("cycles", r.cycles());
            x.put("boundBy", r.boundBy());
            x.put("utilisation", r.utilisation());
            x.put("energyPj", r.totalPj());
            List<Object> acts = new ArrayList<>();
            for (Action ac : r.counts().actions()) {
                Map<String, Object> y = new LinkedHashMap<>();
                y.put("level", ac.level().name()); y.put("data", ac.data().name()); y.put("action", ac.name());
                y.put("count", ac.count()); y.put("unit", ac.unit());
                acts.add(y);
            }
            x.put("actions", acts);
            layers.add(x);
        }
        o.put("layers", layers);
        return o;
    }

    /** Writes text to a file, creating parent directories. */
    public static void write(Path p, String text) {
        try {
            Files.createDirectories(p.toAbsolutePath().getParent());
            Files.writeString(p, text);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static String i(int v) {
        return Integer.toString(v);
    }

    /** Number formatting used in all CSVs (round-trippable, locale-independent). */
    static String g(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.9g", v);
    }
}
