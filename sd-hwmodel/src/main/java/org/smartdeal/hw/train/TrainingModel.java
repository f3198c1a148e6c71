package org.smartdeal.hw.train;

import org.smartdeal.hw.model.Action;
import org.smartdeal.hw.model.Action.Data;
import org.smartdeal.hw.model.Action.Level;
import org.smartdeal.hw.model.Tiling;
import org.smartdeal.hw.model.TilingSearch;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.spec.WeightRep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Energy per training iteration (HWMODEL.md 5): FP, BP (data gradient, none for layer 1), WG and
 * update, on one platform for all modes so only the ratio E_VA / E_mode is meaningful. As for
 * inference, the model first lists every action of every layer and pass ({@link #actions}: count in
 * energy-table units, and the table key pricing it), and energy is only ever count x table entry
 * ({@link IterationEnergy#of}). The constants are the fields of {@link TrainingSpec}
 * ({@code training-v1.json}); each action names the ones its count uses.
 * <p>
 * 16-bit operands: Table I with x2 RF/add and x4 multiplier energy [A]; DRAM by the tiling search of
 * section 2.1 with 16-bit activations, one FP-shaped traffic per pass [A]; every DRAM byte of a pass is
 * also one SRAM access [A]: weight bytes (VA: W; SD-T: C_e + B) and weight gradients to a bank of the
 * weight buffer, as the inference models read weights, activations and partial sums to a bank of the input
 * buffer (fix 24 of docs/HWMODEL-RESULTS.md: the weights had been priced at the input bank too). FP and BP read the weights
 * (VA: FP32 [P Table V]; SD-T: C_e + B, rebuilding W); WG reads the saved activations and the output
 * gradients only, so its traffic is the pass's without the weight term and it rebuilds nothing
 * (fix 18 of docs/HWMODEL-RESULTS.md: it had been charged a weight read and a rebuild like FP).
 * SS skips FP/BP/WG MACs on its structurally pruned vectors: each layer's MACs are scaled by its own
 * keep ratio, 1 - its pruning ratio of Tables X/XI (fix 19; a single parameter-weighted ratio had been
 * applied to every layer) [A]. WG writes the 16-bit gradient it produces to DRAM (VA: dW; SD-T: dC_e of
 * the C_e non-zeros and dB), and the update reads exactly that (fix 23: the update had read a VA gradient
 * nothing wrote, and SD-T's dC_e and dB had no memory traffic). The update reads and writes FP32 weights
 * and momentum (VA: W; SD-T: B), and SD-T also reads and writes C_e and its bucket-switch counters.
 */
public final class TrainingModel {
    /** The two Tables V/VI models of {@link #paperTable}. */
    public static final List<String> PAPER_MODELS = List.of("resnet18-cifar", "mobilenetv2-cifar");

    /** Training mode. */
    public enum Mode {
        /** vanilla training, FP32 weights */ VA,
        /** SmartDeal training */ SDT,
        /** SD-T with structured (vector) sparsity exploited by the accelerator */ SS
    }

    /** The passes of one training iteration, in execution order per layer. */
    public enum Pass {
        /** forward pass (FP) */ FORWARD,
        /** data-gradient pass (BP), none for the first layer */ INPUT_GRADIENT,
        /** weight-gradient pass (WG) */ WEIGHT_GRADIENT,
        /** optimiser update */ UPDATE
    }

    /**
     * Energy of one iteration, pJ, split by phase.
     *
     * @param computePj MACs and rebuild / update arithmetic (actions at level COMPUTE)
     * @param onChipPj  RF and SRAM traffic (levels RF and SRAM)
     * @param dramPj    DRAM traffic (level DRAM)
     */
    public record IterationEnergy(double computePj, double onChipPj, double dramPj) {
        /** Total pJ. */
        public double totalPj() {
            return computePj + onChipPj + dramPj;
        }

        /** Sums count x table entry of each action, in list order, into the three phases. */
        public static IterationEnergy of(List<TrainingAction> actions, EnergyTable e) {
            double compute = 0, onChip = 0, dram = 0;
            for (TrainingAction x : actions) {
                double pj = x.energyPj(e);
                switch (x.action().level()) {
                    case COMPUTE -> compute += pj;
                    case RF, SRAM -> onChip += pj;
                    case DRAM -> dram += pj;
                }
            }
            return new IterationEnergy(compute, onChip, dram);
        }
    }

    private TrainingModel() {
    }

    /**
     * Every action of one iteration at minibatch {@code batch}, layer by layer in order, each layer's
     * passes in {@link Pass} order. Counts only: no energy table is involved.
     *
     * @param layers     layer shapes (batch 1)
     * @param mode       VA, SDT or SS
     * @param ceDensity  C_e non-zero ratio (Table II: 12.77% SD, 10.53% SD-dagger); ignored for VA
     * @param vecDensity weight (vector) non-zero ratio (Table II: 22.12% SD, 17.16% SD-dagger); ignored for VA
     * @param ssKeep     SS only: per layer, the fraction of its vectors kept by the structural mask, in [0, 1]
     * @param batch      minibatch
     * @param a          architecture (buffer capacities of the tiling search, input and weight bank sizes)
     * @param t          the model's constants
     */
    public static List<TrainingAction> actions(List<LayerSpec> layers, Mode mode, double ceDensity, double vecDensity,
                                               ToDoubleFunction<LayerSpec> ssKeep, int batch, ArchSpec a, TrainingSpec t) {
        List<TrainingAction> out = new ArrayList<>();
        String iBank = EnergyTable.sramKey(a.inputBankBytes());
        String wBank = EnergyTable.sramKey(a.weightBankBytes());
        boolean first = true;
        for (LayerSpec l0 : layers) {
            LayerSpec l = l0.withBatch(batch);
            boolean dw = l.type() == LayerType.DWCONV;
            double w = l.wSize();
            double keep = mode == Mode.SS && !dw ? ssKeep.applyAsDouble(l0) : 1;
            if (!(keep >= 0 && keep <= 1))
                throw new IllegalArgumentException("TrainingModel: SS keep ratio of layer " + l0.id() + " must be in [0, 1], got "
                    + Specs.plain(keep));
            WeightRep sd = mode == Mode.VA ? null : WeightRep.syntheticSd(l0, dw ? 1 : vecDensity, dw ? 1 : ceDensity, t.huffBits(),
                t.idxMode(), t.sliceRows(), l0.id().hashCode());
            // fix 36: VA's FP and BP read the 16-bit working copy, as SD-T's read the compact C_e and B
            double betaW = sd == null ? t.workingWeightBytes() : (sd.ceBytes() + sd.bBytes()) / w;
            Tiling tl = TilingSearch.search(l, betaW, t.activationBytes(), t.activationBytes(), 0, a);
            // fix 37: WG reads no weights and computes the same dense dW in every mode, held at gradientBytes while it
            // accumulates: its tiling is its own, the same for VA, SD-T and SS, not the one fitted to a mode's weights
            Tiling tlWg = TilingSearch.search(l, t.gradientBytes(), t.activationBytes(), t.activationBytes(), 0, a);
            Layer x = new Layer(out, l0.id(), iBank, wBank, t);
            double macs = l.macs() * keep;
            for (Pass p : first ? List.of(Pass.FORWARD) : List.of(Pass.FORWARD, Pass.INPUT_GRADIENT)) {
                x.traffic(p, tl, true);
                x.macs(p, macs);
                if (sd != null) { // rebuild W from C_e and B for this pass
                    x.op(p, Data.OVERHEAD, "rebuild shift-adds", sd.ceNnz() * sd.n(), "C_e non-zeros x n", t.addWidthFactor(),
                        "addWidthFactor", "reShiftAdd");
                    x.op(p, Data.OVERHEAD, "Huffman decodes", sd.ceNnz(), "C_e non-zeros", 1, "-", "huffman");
                }
            }
            Pass wg = Pass.WEIGHT_GRADIENT;
            x.traffic(wg, tlWg, false);
            x.macs(wg, macs);
            if (sd != null) { // dC_e = dW B^T on the fixed non-zeros; dB = C_e^T dW by shift-adds (C_e is a power of 2)
                double q = sd.ceNnz() * sd.n();
                x.op(wg, Data.ARITH, "dC_e multiplies", q, "16-bit MACs (C_e non-zeros x n)", t.multWidthFactor(), "multWidthFactor", "mult");
                x.op(wg, Data.ARITH, "dC_e adds", q, "16-bit MACs (C_e non-zeros x n)", t.addWidthFactor(), "addWidthFactor", "add");
                x.op(wg, Data.ARITH, "dB shift-adds", q, "C_e non-zeros x n", t.addWidthFactor(), "addWidthFactor", "reShiftAdd");
            }
            if (sd == null) {
                x.gradientWrites("weight", w, "parameters (|W|)");
                x.sgdMomentum("weight", w, "parameters (|W|)");
                x.mem(Pass.UPDATE, Level.DRAM, Data.W, "DRAM weight working-copy writes", w, "parameters (|W|)",
                    t.workingWeightBytes(), "workingWeightBytes", "dram"); // fix 36: what FP and BP read
            } else {
                double bParams = sd.numB() * (double) sd.n() * sd.n();
                x.gradientWrites("C_e", sd.ceNnz(), "C_e non-zeros");
                x.gradientWrites("basis", bParams, "B parameters (numB x n x n)");
                x.sgdMomentum("basis", bParams, "B parameters (numB x n x n)");
                Pass u = Pass.UPDATE;
                // fix 36: the compact B that FP and BP read is rewritten from the FP32 master, as VA's working copy is
                x.mem(u, Level.DRAM, Data.W, "DRAM basis working-copy writes", sd.bBytes(), "bytes (B)", 1, "-", "dram");
                x.mem(u, Level.DRAM, Data.W, "DRAM C_e gradient reads", sd.ceNnz(), "C_e non-zeros", t.gradientBytes(), "gradientBytes", "dram");
                x.mem(u, Level.DRAM, Data.W, "DRAM C_e reads", sd.ceBytes(), "bytes (C_e + index)", 1, "-", "dram");
                x.mem(u, Level.DRAM, Data.W, "DRAM C_e writes", sd.ceBytes(), "bytes (C_e + index)", 1, "-", "dram");
                x.mem(u, Level.DRAM, Data.W, "DRAM counter reads", sd.ceNnz(), "C_e non-zeros", t.counterBytes(), "counterBits / 8", "dram");
                x.mem(u, Level.DRAM, Data.W, "DRAM counter writes", sd.ceNnz(), "C_e non-zeros", t.counterBytes(), "counterBits / 8", "dram");
                x.op(u, Data.OVERHEAD, "update selects", sd.ceNnz(), "C_e non-zeros", t.selectsPerCeUpdate(), "selectsPerCeUpdate", "select");
            }
            first = false;
        }
        return out;
    }

    /** Appends one layer's actions. */
    private record Layer(List<TrainingAction> out, String id, String iBank, String wBank, TrainingSpec t) {
        void mem(Pass p, Level lv, Data d, String name, double q, String qUnit, double factor, String src, String unit) {
            out.add(TrainingAction.of(id, p, lv, d, name, q, qUnit, factor, src, unit));
        }

        void op(Pass p, Data d, String name, double q, String qUnit, double factor, String src, String unit) {
            out.add(TrainingAction.of(id, p, Level.COMPUTE, d, name, q, qUnit, factor, src, unit));
        }

        /**
         * The pass's DRAM traffic by tensor (the weights only if it reads them), each byte also one SRAM access:
         * weights to a weight-buffer bank, activations and partial sums to an input-buffer bank.
         */
        void traffic(Pass p, Tiling tl, boolean readsW) {
            if (readsW) mem(p, Level.DRAM, Data.W, "DRAM weight reads", tl.wBytes(), "bytes (tiling)", 1, "-", "dram");
            mem(p, Level.DRAM, Data.I, "DRAM input reads", tl.iBytes(), "bytes (tiling)", 1, "-", "dram");
            mem(p, Level.DRAM, Data.O, "DRAM output writes", tl.oBytes(), "bytes (tiling)", 1, "-", "dram");
            mem(p, Level.DRAM, Data.O, "DRAM psum write+read", tl.psumBytes(), "bytes (tiling)", 1, "-", "dram");
            if (readsW) mem(p, Level.SRAM, Data.W, "SRAM weight accesses", tl.wBytes(), "bytes (tiling)", 1, "-", wBank);
            mem(p, Level.SRAM, Data.I, "SRAM input accesses", tl.iBytes(), "bytes (tiling)", 1, "-", iBank);
            mem(p, Level.SRAM, Data.O, "SRAM output accesses", tl.oBytes(), "bytes (tiling)", 1, "-", iBank);
            mem(p, Level.SRAM, Data.O, "SRAM psum accesses", tl.psumBytes(), "bytes (tiling)", 1, "-", iBank);
        }

        /** The pass's 16-bit MACs: RF operand accesses, multiplies and accumulating adds. */
        void macs(Pass p, double macs) {
            mem(p, Level.RF, Data.ARITH, "RF operand accesses", macs, "16-bit MACs", t.rfAccessesPerMac() * t.rfBytesPerAccess(),
                "rfAccessesPerMac x rfBytesPerAccess", "rf");
            op(p, Data.ARITH, "MAC multiplies", macs, "16-bit MACs", t.multWidthFactor(), "multWidthFactor", "mult");
            op(p, Data.ARITH, "MAC adds", macs, "16-bit MACs", t.addWidthFactor(), "addWidthFactor", "add");
        }

        /**
         * WG's write of the 16-bit gradient of {@code entries} parameters to DRAM, each byte also one
         * weight-buffer SRAM access: what the update reads (fix 23).
         */
        void gradientWrites(String what, double entries, String qUnit) {
            Pass wg = Pass.WEIGHT_GRADIENT;
            mem(wg, Level.DRAM, Data.W, "DRAM " + what + " gradient writes", entries, qUnit, t.gradientBytes(), "gradientBytes", "dram");
            mem(wg, Level.SRAM, Data.W, "SRAM " + what + " gradient accesses", entries, qUnit, t.gradientBytes(), "gradientBytes", wBank);
        }

        /** SGD-momentum on {@code params} FP32 parameters: read W and m, write W and m, read the 16-bit gradient WG wrote. */
        void sgdMomentum(String what, double params, String qUnit) {
            Pass u = Pass.UPDATE;
            mem(u, Level.DRAM, Data.W, "DRAM " + what + " reads (FP32)", params, qUnit, t.masterWeightBytes(), "masterWeightBytes", "dram");
            mem(u, Level.DRAM, Data.W, "DRAM " + what + " writes (FP32)", params, qUnit, t.masterWeightBytes(), "masterWeightBytes", "dram");
            mem(u, Level.DRAM, Data.W, "DRAM " + what + " momentum reads", params, qUnit, t.momentumBytes(), "momentumBytes", "dram");
            mem(u, Level.DRAM, Data.W, "DRAM " + what + " momentum writes", params, qUnit, t.momentumBytes(), "momentumBytes", "dram");
            mem(u, Level.DRAM, Data.W, "DRAM " + what + " gradient reads", params, qUnit, t.gradientBytes(), "gradientBytes", "dram");
            op(u, Data.ARITH, "SGD-momentum multiplies", params, qUnit, t.updateOpsPerParam() * t.multWidthFactor(),
                "updateOpsPerParam x multWidthFactor", "mult");
            op(u, Data.ARITH, "SGD-momentum adds", params, qUnit, t.updateOpsPerParam() * t.addWidthFactor(),
                "updateOpsPerParam x addWidthFactor", "add");
        }
    }

    /**
     * Energy of one iteration at minibatch {@code batch}, with the default {@link TrainingSpec}.
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
     * Energy of one iteration at minibatch {@code batch}, with a keep ratio per layer: the sum of
     * {@link #actions} priced by {@code e}.
     *
     * @param ssKeep SS only: per layer, the fraction of its vectors kept by the structural mask, in [0, 1]
     */
    public static IterationEnergy iteration(List<LayerSpec> layers, Mode mode, double ceDensity, double vecDensity,
                                            ToDoubleFunction<LayerSpec> ssKeep, int batch, ArchSpec a, EnergyTable e) {
        return IterationEnergy.of(actions(layers, mode, ceDensity, vecDensity, ssKeep, batch, a, TrainingSpec.defaults()), e);
    }

    /** Energy-efficiency ratio E_VA / E_mode for one model at one minibatch. */
    public static double efficiencyOverVa(List<LayerSpec> layers, Mode mode, double ceDensity, double vecDensity, double ssKeep,
                                          int batch, ArchSpec a, EnergyTable e) {
        return efficiencyOverVa(layers, mode, ceDensity, vecDensity, l -> ssKeep, batch, a, e);
    }

    /** E_VA / E_mode with a keep ratio per layer (SS). */
    public static double efficiencyOverVa(List<LayerSpec> layers, Mode mode, double ceDensity, double vecDensity,
                                          ToDoubleFunction<LayerSpec> ssKeep, int batch, ArchSpec a, EnergyTable e) {
        return iteration(layers, Mode.VA, 1, 1, 1, batch, a, e).totalPj()
            / iteration(layers, mode, ceDensity, vecDensity, ssKeep, batch, a, e).totalPj();
    }

    /**
     * The actions of one model of {@link #paperTable} in one mode, at {@code t.paperBatch()}: VA; SD-T at
     * Table II's SD densities (12.77% / 22.12%, {@link PaperModels#TABLE2_CE_W} row SD); SS at Table II's
     * SD-dagger densities (10.53% / 17.16%) with each layer's keep ratio from Table X (ResNet-18, C-10
     * column) or Table XI (MobileNetV2, C-10), {@link PaperModels#structuralKeep}.
     *
     * @param model one of {@link #PAPER_MODELS}
     */
    public static List<TrainingAction> paperActions(String model, Mode mode, ArchSpec a, TrainingSpec t) {
        if (!PAPER_MODELS.contains(model))
            throw new IllegalArgumentException("TrainingModel.paperActions: model must be one of " + PAPER_MODELS + ", got " + model);
        List<LayerSpec> ls = PaperModels.layers(model);
        double[] d = paperDensities(mode);
        if (mode != Mode.SS) return actions(ls, mode, d[0], d[1], l -> 1, t.paperBatch(), a, t);
        Map<String, Double> keep = PaperModels.structuralKeep(model);
        return actions(ls, mode, d[0], d[1], l -> keep.get(l.id()), t.paperBatch(), a, t);
    }

    /**
     * {C_e density, vector density} of {@link #paperActions}: VA 1, 1; SD-T Table II's SD row; SS Table II's
     * SD-dagger row ({@link PaperModels#TABLE2_CE_W}).
     */
    public static double[] paperDensities(Mode mode) {
        return switch (mode) {
            case VA -> new double[] {1, 1};
            case SDT -> PaperModels.TABLE2_CE_W[3].clone();
            case SS -> PaperModels.TABLE2_CE_W[5].clone();
        };
    }

    /**
     * The Tables V/VI comparison at B=128 for {@code resnet18-cifar} and {@code mobilenetv2-cifar}:
     * {model: {SD: ratio, SS: ratio}}, E_VA / E_mode of {@link #paperActions} with the default
     * {@link TrainingSpec}. {@code org.smartdeal.hw.report.TrainingStudy} writes the actions behind it.
     */
    public static Map<String, Map<String, Double>> paperTable(ArchSpec a, EnergyTable e) {
        TrainingSpec t = TrainingSpec.defaults();
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String m : PAPER_MODELS) {
            double va = IterationEnergy.of(paperActions(m, Mode.VA, a, t), e).totalPj();
            Map<String, Double> r = new LinkedHashMap<>();
            r.put("SD", va / IterationEnergy.of(paperActions(m, Mode.SDT, a, t), e).totalPj());
            r.put("SS", va / IterationEnergy.of(paperActions(m, Mode.SS, a, t), e).totalPj());
            out.put(m, r);
        }
        return out;
    }
}
