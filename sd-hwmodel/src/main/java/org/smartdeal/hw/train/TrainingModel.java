package org.smartdeal.hw.train;

import org.smartdeal.hw.model.TilingSearch;
import org.smartdeal.hw.model.Tiling;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.WeightRep;

import java.util.List;

/**
 * Energy per training iteration (HWMODEL.md 5): FP, BP (data gradient, none for layer 1), WG and
 * update, on one platform for all modes so only the ratio E_VA / E_mode is meaningful. 16-bit
 * operands: Table I with x2 SRAM/RF/add and x4 multiplier energy [A]; DRAM by the tiling search of
 * section 2.1 with 16-bit activations, one FP-shaped traffic per pass [A]. FP and BP read the weights
 * (VA: FP32 [P Table V]; SD-T: C_e + B, rebuilding W); WG reads the saved activations and the output
 * gradients only, so its traffic is the pass's without the weight term and it rebuilds nothing
 * (fix 18 of docs/HWMODEL-RESULTS.md: it had been charged a weight read and a rebuild like FP).
 * SS skips FP/BP/WG MACs on its structurally pruned vectors: each layer's MACs are scaled by its own
 * keep ratio, 1 - its pruning ratio of Tables X/XI (fix 19; a single parameter-weighted ratio had been
 * applied to every layer) [A].
 */
public final class TrainingModel {
    /** Training mode. */
    public enum Mode {
        /** vanilla training, FP32 weights */ VA,
        /** SmartDeal training */ SDT,
        /** SD-T with structured (vector) sparsity exploited by the accelerator */ SS
    }

    /**
     * Energy of one iteration, pJ, split by phase.
     *
     * @param computePj MACs and rebuild / update arithmetic
     * @param onChipPj  RF and SRAM traffic
     * @param dramPj    DRAM traffic
     */
    public record IterationEnergy(double computePj, double onChipPj, double dramPj) {
        /** Total pJ. */
        public double totalPj() {
            return computePj + onChipPj + dramPj;
        }
    }

    private TrainingModel() {
    }

    /**
     * Energy of one iteration at minibatch {@code batch}.
     *
     * @param layers     layer shapes (batch 1)
     * @param mode       VA, SDT or SS
     * @param ceDensity  C_e non-zero ratio (Table II: 12.77% SD, 10.53% SD-dagger)
     * @param vecDensity weight (vector) non-zero ratio (Table II: 22.12% SD, 17.16% SD-dagger)
     * @param ssKeep     SS only: fraction of vectors kept by the structural mask, whose work is done
     *                   (1 - the structural pruning ratio of Tables X/XI), the same for every layer
     */
    public static IterationEnergy iteration(List<LayerSpec> layers, Mode mode, double ceDensity, double vecDensity, double ssKeep,
                                            int batch, ArchSpec a, EnergyTable e) {
        return iteration(layers, mode, ceDensity, vecDensity, l -> ssKeep, batch, a, e);
    }

    /**
     * Energy of one iteration at minibatch {@code batch}, with a keep ratio per layer.
     *
     * @param ssKeep SS only: per layer, the fraction of its vectors kept by the structural mask, in [0, 1]
     */
    public static IterationEnergy iteration(List<LayerSpec> layers, Mode mode, double ceDensity, double vecDensity,
                                            java.util.function.ToDoubleFunction<LayerSpec> ssKeep, int batch, ArchSpec a, EnergyTable e) {
        double mac16 = 4 * e.multPjPer8Bit() + 2 * e.addPjPer8Bit(), rf16 = 2 * e.rfPjPer8Bit();
        double sram16 = 2 * e.sramPjPer8Bit(a.inputBankBytes()), dram = e.dramPjPer8Bit();
        double compute = 0, onChip = 0, dramPj = 0;
        boolean first = true;
        for (LayerSpec l0 : layers) {
            LayerSpec l = l0.withBatch(batch);
            boolean dw = l.type() == LayerType.DWCONV;
            double w = l.wSize();
            double skip = mode == Mode.SS && !dw ? ssKeep.applyAsDouble(l0) : 1;
            if (!(skip >= 0 && skip <= 1))
                throw new IllegalArgumentException("TrainingModel: SS keep ratio of layer " + l0.id() + " must be in [0, 1], got " + skip);
            WeightRep sd = mode == Mode.VA ? null : WeightRep.syntheticSd(l0, dw ? 1 : vecDensity, dw ? 1 : ceDensity, 2.3,
                WeightRep.IdxMode.VECTOR_ELEM, 192, l0.id().hashCode());
            double betaW = sd == null ? 4 : (sd.ceBytes() + sd.bBytes()) / w;
            Tiling t = TilingSearch.search(l, betaW, 2, 2, 0, a);
            int readsW = first ? 1 : 2, passes = readsW + 1; // FP (+ BP) read W; WG does not
            double macs = passes * l.macs() * skip;
            double bytes = readsW * t.dramBytes() + (t.dramBytes() - t.wBytes());
            compute += macs * mac16;
            onChip += macs * 3 * rf16 + bytes * sram16 / 2;
            dramPj += bytes * dram;
            if (sd != null) {
                double rebuild = readsW * sd.ceNnz() * sd.n();
                compute += rebuild * 2 * e.reShiftAddPj() + readsW * sd.ceNnz() * e.huffmanDecodePj();
                compute += sd.ceNnz() * sd.n() * mac16 + sd.ceNnz() * sd.n() * 2 * e.reShiftAddPj(); // dC_e = dW B^T, dB = C_e^T dW
                double bParams = sd.numB() * (double) sd.n() * sd.n();
                dramPj += bParams * 18 * dram + 2 * (sd.ceBytes() + sd.ceNnz() * 0.5) * dram; // B SGD-momentum; C_e + 4-bit counters r/w
                compute += bParams * 3 * mac16 + sd.ceNnz() * 4 * e.selectPj(); // threshold, sign, counter, compare
            } else {
                dramPj += w * 18 * dram; // read W, m, g; write W, m (FP32 / 16-bit grad)
                compute += w * 3 * mac16;
            }
            first = false;
        }
        return new IterationEnergy(compute, onChip, dramPj);
    }

    /** Energy-efficiency ratio E_VA / E_mode for one model at one minibatch. */
    public static double efficiencyOverVa(List<LayerSpec> layers, Mode mode, double ceDensity, double vecDensity, double ssKeep,
                                          int batch, ArchSpec a, EnergyTable e) {
        return efficiencyOverVa(layers, mode, ceDensity, vecDensity, l -> ssKeep, batch, a, e);
    }

    /** E_VA / E_mode with a keep ratio per layer (SS). */
    public static double efficiencyOverVa(List<LayerSpec> layers, Mode mode, double ceDensity, double vecDensity,
                                          java.util.function.ToDoubleFunction<LayerSpec> ssKeep, int batch, ArchSpec a, EnergyTable e) {
        return iteration(layers, Mode.VA, 1, 1, 1, batch, a, e).totalPj()
            / iteration(layers, mode, ceDensity, vecDensity, ssKeep, batch, a, e).totalPj();
    }

    /**
     * The Tables V/VI comparison at B=128 for {@code resnet18-cifar} and {@code mobilenetv2-cifar}:
     * {model: {SD: ratio, SS: ratio}}; SD uses Table II's SD densities (12.77% / 22.12%), SS Table II's
     * SD-dagger densities (10.53% / 17.16%) with each layer's keep ratio from Table X (ResNet-18, C-10
     * column) or Table XI (MobileNetV2, C-10), {@link org.smartdeal.hw.spec.PaperModels#structuralKeep}.
     */
    public static java.util.Map<String, java.util.Map<String, Double>> paperTable(ArchSpec a, EnergyTable e) {
        java.util.Map<String, java.util.Map<String, Double>> out = new java.util.LinkedHashMap<>();
        for (String m : List.of("resnet18-cifar", "mobilenetv2-cifar")) {
            List<LayerSpec> ls = org.smartdeal.hw.spec.PaperModels.layers(m);
            java.util.Map<String, Double> keep = org.smartdeal.hw.spec.PaperModels.structuralKeep(m);
            java.util.Map<String, Double> r = new java.util.LinkedHashMap<>();
            r.put("SD", efficiencyOverVa(ls, Mode.SDT, 0.1277, 0.2212, 1, 128, a, e));
            r.put("SS", efficiencyOverVa(ls, Mode.SS, 0.1053, 0.1716, l -> keep.get(l.id()), 128, a, e));
            out.put(m, r);
        }
        return out;
    }
}
