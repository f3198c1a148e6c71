package org.smartdeal.hw.report;

import org.smartdeal.hw.model.Action;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.Json;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.train.TrainingAction;
import org.smartdeal.hw.train.TrainingModel;
import org.smartdeal.hw.train.TrainingModel.IterationEnergy;
import org.smartdeal.hw.train.TrainingModel.Mode;
import org.smartdeal.hw.train.TrainingModel.Pass;
import org.smartdeal.hw.train.TrainingSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training-energy comparison of Tables V/VI ({@link TrainingModel#paperTable}, HWMODEL.md 5) with
 * every action behind it, on the paper platform ({@link ArchSpec#paper()}, {@link EnergyTable#paper28nm()},
 * {@link TrainingSpec#defaults()}). Writes into {@code outDir}:
 * <ul>
 * <li>{@value #ACTIONS_CSV}: one row per model x variant x layer x pass x action: quantity and its unit,
 *     factor and the TrainingSpec fields it comes from, count = quantity x factor in the table's unit,
 *     energy-table key, unit energy and energy = count x unit energy (pJ);</li>
 * <li>{@value #SUMMARY_JSON}: per model and variant the compute / on-chip / DRAM totals, which are the
 *     sums of the CSV's energy column in row order, per-pass totals, E_VA / E and the paper's value;
 *     plus the TrainingSpec, architecture and energy table used.</li>
 * </ul>
 * Numbers are written with {@link Double#toString}, so they read back to the same doubles.
 * {@link PaperStudy#run} writes the same two files.
 */
public final class TrainingStudy {
    /** Per-action CSV file name. */
    public static final String ACTIONS_CSV = "training-actions.csv";
    /** Summary JSON file name. */
    public static final String SUMMARY_JSON = "training-summary.json";
    /** Table V, CIFAR-10 fine-tune energy efficiency over VA [P]: {model: {SDT, SS}}. */
    static final Map<String, Map<String, Double>> PAPER_TABLE_V = Map.of(
        "resnet18-cifar", Map.of("SDT", 1.36, "SS", 1.50),
        "mobilenetv2-cifar", Map.of("SDT", 1.29, "SS", 1.40));

    private TrainingStudy() {
    }

    /** CSV header; units are in the column names or in the *_unit columns. */
    public static String csvHeader() {
        return "model,variant,layer,pass,level,data,action,quantity,quantity_unit,factor,factor_source,count,count_unit,unit,"
            + "unit_pJ,energy_pJ\n";
    }

    /** The CSV rows of one model and variant, in the order of {@code actions}. */
    public static String csvRows(String model, Mode mode, List<TrainingAction> actions, EnergyTable e) {
        StringBuilder b = new StringBuilder();
        for (TrainingAction x : actions) {
            Action a = x.action();
            b.append(String.join(",", model, mode.name(), x.layer(), x.pass().name(), a.level().name(), a.data().name(),
                q(a.name()), Reports.g(x.quantity()), q(x.quantityUnit()), Reports.g(x.factor()), q(x.factorSource()),
                Reports.g(a.count()), q(TrainingAction.countUnit(a.unit())), a.unit(), Reports.g(e.pj(a.unit())),
                Reports.g(x.energyPj(e)))).append('\n');
        }
        return b.toString();
    }

    /** Computes the paper comparison, writes {@value #ACTIONS_CSV} and {@value #SUMMARY_JSON}, returns the summary. */
    public static Map<String, Object> run(Path outDir) {
        ArchSpec a = ArchSpec.paper();
        EnergyTable e = EnergyTable.paper28nm();
        TrainingSpec t = TrainingSpec.defaults();
        StringBuilder csv = new StringBuilder(csvHeader());
        Map<String, Object> models = new LinkedHashMap<>();
        for (String m : TrainingModel.PAPER_MODELS) {
            Map<String, Object> variants = new LinkedHashMap<>();
            double va = 0;
            for (Mode mode : Mode.values()) {
                List<TrainingAction> acts = TrainingModel.paperActions(m, mode, a, t);
                csv.append(csvRows(m, mode, acts, e));
                IterationEnergy it = IterationEnergy.of(acts, e);
                if (mode == Mode.VA) va = it.totalPj();
                Map<String, Object> v = new LinkedHashMap<>();
                double[] d = TrainingModel.paperDensities(mode);
                v.put("ceDensity", d[0]);
                v.put("vecDensity", d[1]);
                if (mode == Mode.SS) v.put("ssKeep", PaperModels.structuralKeep(m));
                v.put("computePj", it.computePj());
                v.put("onChipPj", it.onChipPj());
                v.put("dramPj", it.dramPj());
                v.put("totalPj", it.totalPj());
                Map<String, Object> perPass = new LinkedHashMap<>();
                for (Pass p : Pass.values()) {
                    double s = 0;
                    for (TrainingAction x : acts) if (x.pass() == p) s += x.energyPj(e);
                    perPass.put(p.name() + "_pJ", s);
                }
                v.put("perPass", perPass);
                v.put("actions", acts.size());
                v.put("efficiencyOverVa", va / it.totalPj());
                if (mode != Mode.VA) v.put("paperTableV", PAPER_TABLE_V.get(m).get(mode.name()));
                variants.put(mode.name(), v);
            }
            models.put(m, variants);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("description", "Training energy per iteration (HWMODEL.md 5), Tables V/VI CIFAR-10 fine-tune; efficiencyOverVa = "
            + "E_VA / E; computePj, onChipPj and dramPj are the sums, in row order, of energy_pJ of " + ACTIONS_CSV
            + " at levels COMPUTE, RF + SRAM and DRAM; totalPj = computePj + onChipPj + dramPj");
        o.put("inputs", "batch trainingSpec.paperBatch; VA: FP32 weights; SDT: Table II SD densities; SS: Table II SD-dagger "
            + "densities, keep ratio per layer (ssKeep) from Table X (ResNet-18) / XI (MobileNetV2), C-10 column");
        o.put("models", models);
        o.put("trainingSpec", Specs.toMap(t));
        o.put("arch", Specs.toMap(a));
        o.put("energyTable", Specs.toMap(e));
        Reports.write(outDir.resolve(ACTIONS_CSV), csv.toString());
        Reports.write(outDir.resolve(SUMMARY_JSON), Json.write(o));
        return o;
    }

    private static String q(String s) {
        return '"' + s + '"';
    }

    /**
     * Command line: {@code TrainingStudy OUT_DIR}. Writes the two files and prints E_VA / E per model and
     * variant.
     */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: TrainingStudy OUT_DIR");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Map<String, Object> s = run(out);
        for (var m : ((Map<String, Object>) s.get("models")).entrySet())
            for (var v : ((Map<String, Object>) m.getValue()).entrySet())
                System.out.println(m.getKey() + " " + v.getKey() + " E_VA/E = " + ((Map<String, Object>) v.getValue()).get("efficiencyOverVa"));
        System.out.println("wrote " + out.resolve(ACTIONS_CSV).toAbsolutePath() + " and " + SUMMARY_JSON);
    }
}
