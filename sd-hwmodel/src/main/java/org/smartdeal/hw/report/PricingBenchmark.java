package org.smartdeal.hw.report;

import org.smartdeal.hw.model.AcceleratorModel;
import org.smartdeal.hw.model.CostModel;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Workload;

import java.util.Locale;

/**
 * Speed check of issue 6: prices every layer of ResNet-50 on all five accelerators (counts,
 * tiling search, energy) and prints the wall time per repetition; target under 2 s. Workload
 * generation is excluded. Run: {@code java -cp ... org.smartdeal.hw.report.PricingBenchmark [reps]}.
 */
public final class PricingBenchmark {
    private PricingBenchmark() {
    }

    /** Entry point; argument: repetitions (default 5). */
    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        ArchSpec a = ArchSpec.paper();
        EnergyTable e = EnergyTable.paper28nm();
        Workload w = PaperModels.workload("resnet50", a.knobs(), a);
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            double sink = 0;
            for (AcceleratorModel acc : AcceleratorModel.all()) sink += CostModel.price(acc, w, a, e).energyPj();
            System.out.printf(Locale.ROOT, "rep %d: ResNet-50 (%d layers) x 5 accelerators priced in %.3f s (checksum %.6e)%n", r,
                w.layers().size(), (System.nanoTime() - t0) / 1e9, sink);
        }
    }
}
