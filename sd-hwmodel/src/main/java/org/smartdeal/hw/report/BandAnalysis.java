package org.smartdeal.hw.report;

import org.smartdeal.hw.model.AcceleratorModel;
import org.smartdeal.hw.model.CostModel;
import org.smartdeal.hw.model.LayerResult;
import org.smartdeal.hw.model.ModelResult;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Knobs;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.WeightRep;
import org.smartdeal.hw.spec.Workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Why the SmartDeal speedup over DianNao misses the paper's band (docs/HWMODEL-RESULTS.md): splits,
 * per paper model and over the benchmark layers, the SD/DN latency ratio into the factors the model
 * multiplies together, each computed by re-pricing with one assumption removed (never tuned per model):
 * <ul>
 * <li>{@code dnUtil}: DianNao MACs / (1024 x compute cycles);</li>
 * <li>{@code arrayBound}: DN compute cycles / (SD bit-serial terms / 8192): the speedup if every SD lane
 *     processed a non-zero Booth digit every cycle (invariant 4.1.2);</li>
 * <li>{@code sync}: SD compute cycles with tSD (max Booth digits over dim_F activations) over those with
 *     decoupled lanes, tSD' = max(1, boothDig / (1 - rowZero)) (mean digits per activation of a
 *     non-zero segment);</li>
 * <li>{@code mapping}: decoupled SD compute cycles / ideal cycles: slowest of 16 lines x 64 slices,
 *     dim_F segment padding, idle lines and slices on narrow layers;</li>
 * <li>{@code structural}: the same ratio with dense weights (padding and idle lines/slices only), so
 *     mapping / structural is the imbalance the randomly placed zero C_e rows add;</li>
 * <li>{@code computeSU}: DN / SD compute cycles (BW unlimited, no fill) = arrayBound / (sync x mapping);</li>
 * <li>{@code dramFactor}: computeSU / speedup at the given knobs (DRAM roofline plus fill);</li>
 * <li>{@code dnDramShare}: DianNao DRAM cycles / DianNao cycles at the given knobs. Figs. 9 and 10
 *     together bound it: speedup &ge; 8.8 with DRAM ratio &le; 3.5 and a shared bandwidth need
 *     D_DN/BW = rho T_SD BW/BW &le; (3.5/8.8) T_DN, i.e. at most 0.40;</li>
 * <li>{@code dwBroadcast}: DN compute cycles if depthwise layers used DianNao's plain NBin broadcast
 *     (one output channel per cycle, [S:DN]) instead of HWMODEL.md's per-lane ports, over the default.</li>
 * </ul>
 */
public final class BandAnalysis {
    private BandAnalysis() {
    }

    /**
     * One model's factors.
     *
     * @param model       paper model name
     * @param dnUtil      DianNao compute utilisation
     * @param arrayBound  DN compute cycles / ideal SD cycles
     * @param sync        SD compute cycles, tSD over decoupled lanes
     * @param mapping     decoupled SD compute cycles / ideal SD cycles
     * @param structural the mapping ratio with dense weights
     * @param computeSU   DN / SD compute cycles
     * @param speedup     DN / SD cycles at the knobs
     * @param dnDramShare DN DRAM cycles / DN cycles at the knobs
     * @param decoupledSU DN / SD compute cycles with decoupled lanes (BW unlimited)
     * @param dwBroadcast DN compute cycles with broadcast depthwise / default DN compute cycles
     */
    public record Row(String model, double dnUtil, double arrayBound, double sync, double mapping, double structural, double computeSU,
                      double speedup, double dnDramShare, double decoupledSU, double dwBroadcast) {
    }

    /** The factors of every paper model at the given knobs. */
    public static List<Row> rows(Knobs k) {
        EnergyTable e = EnergyTable.paper28nm();
        ArchSpec a = ArchSpec.paper().withKnobs(k), inf = ArchSpec.paper().withKnobs(k.withBw(Double.POSITIVE_INFINITY));
        AcceleratorModel dn = find("diannao"), sd = find("smartdeal");
        List<Row> out = new ArrayList<>();
        for (String m : PaperModels.NAMES) {
            Workload w = PaperModels.workload(m, k, a);
            List<Workload.Entry> dec = new ArrayList<>(), dense = new ArrayList<>();
            for (Workload.Entry x : w.layers()) {
                ActStats s = x.act();
                double t = Math.max(1, s.boothDig() / (1 - s.rowZero()));
                ActStats d = new ActStats(s.dA(), s.bitsRaw(), s.boothDig(), s.rowZero(), t, s.tPRA(), s.praTerms(), s.dOut(),
                    s.scnn());
                dec.add(new Workload.Entry(x.layer(), x.weights(), d));
                dense.add(new Workload.Entry(x.layer(), WeightRep.dense(x.layer()), d));
            }
            ModelResult dnK = CostModel.price(dn, w, a, e, true), sdK = CostModel.price(sd, w, a, e, true);
            ModelResult sdDec = CostModel.price(sd, new Workload(m, dec, "decoupled lanes"), inf, e, true);
            ModelResult sdDense = CostModel.price(sd, new Workload(m, dense, "decoupled lanes, dense weights"), inf, e, true);
            double cDn = 0, mac = 0, dwExtra = 0, dram = 0;
            for (LayerResult r : dnK.layers()) {
                if (!r.layer().inBenchmark()) continue;
                cDn += r.counts().ccomp();
                mac += r.layer().macs();
                dram += r.cdram();
                if (r.layer().type() == LayerType.DWCONV) {
                    double bc = (double) r.layer().batch() * r.layer().e() * r.layer().f() * r.layer().m()
                        * Math.ceil(r.layer().r() * r.layer().s() / (double) a.dnTi());
                    dwExtra += bc - r.counts().ccomp();
                }
            }
            double cSd = comp(sdK), cDec = comp(sdDec), ideal = ideal(sdK), structural = comp(sdDense) / ideal(sdDense);
            out.add(new Row(m, mac / (a.dnTn() * (double) a.dnTi()) / cDn, cDn / ideal, cSd / cDec, cDec / ideal, structural, cDn / cSd,
                dnK.cycles() / sdK.cycles(), dram / dnK.cycles(), cDn / cDec, (cDn + dwExtra) / cDn));
        }
        return out;
    }

    private static double comp(ModelResult r) {
        return r.layers().stream().filter(x -> x.layer().inBenchmark()).mapToDouble(x -> x.counts().ccomp()).sum();
    }

    private static double ideal(ModelResult r) {
        return r.layers().stream().filter(x -> x.layer().inBenchmark()).mapToDouble(x -> x.counts().work() / x.counts().peakPerCycle()).sum();
    }

    private static AcceleratorModel find(String name) {
        return AcceleratorModel.all().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    }

    /** The rows as a Markdown table. */
    public static String markdown(List<Row> rows) {
        StringBuilder b = new StringBuilder("| model | DN compute util | array bound | sync (tSD) | mapping (structural x imbalance) | compute SU | DRAM factor | SU | "
            + "DN DRAM share (paper <= 0.40) | SU decoupled, BW inf | DN x (broadcast DW) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows)
            b.append(String.format(Locale.ROOT, "| %s | %.3f | %.2f | %.2f | %.2f (%.2f x %.2f) | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", r.model(),
                r.dnUtil(), r.arrayBound(), r.sync(), r.mapping(), r.structural(), r.mapping() / r.structural(), r.computeSU(), r.computeSU() / r.speedup(), r.speedup(),
                r.dnDramShare(), r.decoupledSU(), r.dwBroadcast()));
        return b.append("\nDN compute util: DianNao's MACs / (1024 x its compute cycles), without DRAM stalls (layers.csv's "
            + "utilisation counts them); DN DRAM share: DianNao's DRAM cycles / its cycles; every other column is a ratio "
            + "(x). Sums over the benchmark layers at the default knobs; definitions: docs/HWMODEL-RESULTS.md, \"Why the "
            + "bands are missed\".\n").toString();
    }

    /** Prints the table at the default knobs. */
    public static void main(String[] args) {
        System.out.print(markdown(rows(Knobs.defaults())));
    }
}
