package org.smartdeal.hw.train;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.model.Action;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.WeightRep;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The training-energy model (HWMODEL.md 5) at its edges, found by mutation testing (docs/RESULTS.md 8): the checks of
 * its constants and keep ratios at their bounds, which layers the SS keep ratio and the densities reach, the
 * per-phase sums, and the count units of the training report.
 */
class TrainingEdgesTest {
    private static final ArchSpec A = ArchSpec.paper();
    private static final TrainingSpec T = TrainingSpec.defaults();
    /** Thirteen distinct unit energies 1..13 (EnergyTable's component order), so each phase sum can be done by hand. */
    private static final EnergyTable DISTINCT = new EnergyTable(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);

    /** The message of the IllegalArgumentException that {@code x} throws. */
    private static String message(org.junit.jupiter.api.function.Executable x) {
        return assertThrows(IllegalArgumentException.class, x).getMessage();
    }

    @Test
    void anActionsCountMustBeQuantityTimesFactor() {
        TrainingAction ok = TrainingAction.of("l", TrainingModel.Pass.FORWARD, Action.Level.DRAM, Action.Data.W, "reads", 3, "bytes",
            2, "-", "dram");
        assertEquals(6, ok.action().count());
        // energy = count x the table entry: 6 bytes x 1 pJ (DISTINCT's DRAM entry)
        assertEquals(6, ok.energyPj(DISTINCT));
        assertEquals("TrainingAction(l, UPDATE, reads).count must be quantity 3 x factor 2, got 7", message(() ->
            new TrainingAction("l", TrainingModel.Pass.UPDATE, new Action(Action.Level.DRAM, Action.Data.W, "reads", 7, "dram"), 3,
                "bytes", 2, "-")));
    }

    @Test
    void countUnitsNameWhatEachTableKeyCounts() {
        // TrainingAction.countUnit's javadoc: bytes for dram, rf and sram<bank>; else the operation the table prices
        for (String bytes : List.of("dram", "rf", "sram2048", "sram16384")) assertEquals("bytes", TrainingAction.countUnit(bytes), bytes);
        assertEquals("8-bit multiplies", TrainingAction.countUnit("mult"));
        assertEquals("8-bit adds", TrainingAction.countUnit("add"));
        assertEquals("RE shift-adds", TrainingAction.countUnit("reShiftAdd"));
        assertEquals("selects", TrainingAction.countUnit("select"));
        assertEquals("Huffman decodes", TrainingAction.countUnit("huffman"));
        assertEquals("operations", TrainingAction.countUnit("mac"));
    }

    @Test
    void trainingSpecRangesNameTheField() {
        // TrainingSpec's compact constructor: the twelve factors and byte counts in [0, 64], huffBits in [1, 8],
        // sliceRows in [1, 2^20], paperBatch in [1, 4096]
        String[] names = {"multWidthFactor", "addWidthFactor", "rfBytesPerAccess", "rfAccessesPerMac", "activationBytes",
            "masterWeightBytes", "workingWeightBytes", "momentumBytes", "gradientBytes", "updateOpsPerParam", "counterBits",
            "selectsPerCeUpdate"};
        for (int k = 0; k < names.length; k++) {
            double[] v = {4, 2, 2, 3, 2, 4, 2, 4, 2, 3, 4, 4};
            v[k] = 64;
            assertEquals(64.0, org.smartdeal.hw.spec.Specs.toMap(spec(v, 2.3, 192, 128)).get(names[k]), "the bound itself: " + names[k]);
            v[k] = 0;
            assertEquals(0.0, org.smartdeal.hw.spec.Specs.toMap(spec(v, 2.3, 192, 128)).get(names[k]), "the bound itself: " + names[k]);
            v[k] = 64.5;
            assertEquals("TrainingSpec." + names[k] + " must be in [0, 64], got 64.5", message(() -> spec(v, 2.3, 192, 128)));
            v[k] = -0.5;
            assertEquals("TrainingSpec." + names[k] + " must be in [0, 64], got -0.5", message(() -> spec(v, 2.3, 192, 128)));
        }
        double[] d = {4, 2, 2, 3, 2, 4, 2, 4, 2, 3, 4, 4};
        assertEquals(8, spec(d, 8, 1 << 20, 4096).huffBits());
        assertEquals(1, spec(d, 1, 1, 1).sliceRows());
        assertEquals("TrainingSpec.huffBits must be in [1, 8], got 0.5", message(() -> spec(d, 0.5, 192, 128)));
        assertEquals("TrainingSpec.huffBits must be in [1, 8], got 8.5", message(() -> spec(d, 8.5, 192, 128)));
        assertEquals("TrainingSpec.sliceRows must be in [1, 1048576], got 0", message(() -> spec(d, 2.3, 0, 128)));
        assertEquals("TrainingSpec.sliceRows must be in [1, 1048576], got 1048577", message(() -> spec(d, 2.3, (1 << 20) + 1, 128)));
        assertEquals("TrainingSpec.paperBatch must be in [1, 4096], got 0", message(() -> spec(d, 2.3, 192, 0)));
        assertEquals("TrainingSpec.paperBatch must be in [1, 4096], got 4097", message(() -> spec(d, 2.3, 192, 4097)));
        assertEquals("TrainingSpec.idxMode must be VECTOR or VECTOR_ELEM, got null", message(() ->
            new TrainingSpec(4, 2, 2, 3, 2, 4, 2, 4, 2, 3, 4, 4, 2.3, null, 192, 128)));
        // counterBytes = counterBits / 8: 12 bits are 1.5 bytes
        d[10] = 12;
        assertEquals(1.5, spec(d, 2.3, 192, 128).counterBytes());
    }

    private static TrainingSpec spec(double[] v, double huffBits, int sliceRows, int paperBatch) {
        return new TrainingSpec(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], huffBits,
            WeightRep.IdxMode.VECTOR_ELEM, sliceRows, paperBatch);
    }

    @Test
    void keepRatioIsCheckedPerLayerAndOnlyInSs() {
        List<LayerSpec> one = List.of(LayerSpec.conv("c", LayerType.CONV, 8, 8, 3, 4, 4, 1, 1, 1));
        assertEquals("TrainingModel: SS keep ratio of layer c must be in [0, 1], got 1.5", message(() ->
            TrainingModel.actions(one, TrainingModel.Mode.SS, 0.5, 1, l -> 1.5, 2, A, T)));
        assertEquals("TrainingModel: SS keep ratio of layer c must be in [0, 1], got -0.5", message(() ->
            TrainingModel.actions(one, TrainingModel.Mode.SS, 0.5, 1, l -> -0.5, 2, A, T)));
        assertEquals("TrainingModel: SS keep ratio of layer c must be in [0, 1], got NaN", message(() ->
            TrainingModel.actions(one, TrainingModel.Mode.SS, 0.5, 1, l -> Double.NaN, 2, A, T)));
        // keep 0 and 1 are allowed: 0 does no MAC, 1 all of them (N M E F R S C = 2*8*4*4*9*8 = 18432 per pass)
        assertEquals(0, macs(TrainingModel.actions(one, TrainingModel.Mode.SS, 0.5, 1, l -> 0, 2, A, T)));
        assertEquals(2 * 18432, macs(TrainingModel.actions(one, TrainingModel.Mode.SS, 0.5, 1, l -> 1, 2, A, T)), "FP + WG");
        // VA and SD-T ignore the keep ratio (HWMODEL.md 5: only SS skips work on pruned vectors)
        for (TrainingModel.Mode m : new TrainingModel.Mode[] {TrainingModel.Mode.VA, TrainingModel.Mode.SDT})
            assertEquals(2 * 18432, macs(TrainingModel.actions(one, m, 0.5, 1, l -> 0.25, 2, A, T)), m.name());
        // a depthwise layer keeps everything in SS (Table XI lists no depthwise ratio): 2*4*4*4*9*1 = 1152 MACs per pass
        List<LayerSpec> dw = List.of(LayerSpec.conv("d", LayerType.DWCONV, 4, 4, 3, 4, 4, 1, 1, 1));
        assertEquals(2 * 1152, macs(TrainingModel.actions(dw, TrainingModel.Mode.SS, 0.5, 1, l -> 0.25, 2, A, T)));
    }

    /** The "MAC multiplies" counts of a list, in 16-bit MACs (the quantity; the count is x multWidthFactor). */
    private static double macs(List<TrainingAction> xs) {
        return xs.stream().filter(x -> x.action().name().equals("MAC multiplies")).mapToDouble(TrainingAction::quantity).sum();
    }

    @Test
    void aDepthwiseLayerIsRebuiltDenseWhateverTheDensities() {
        // TrainingModel.actions: depthwise layers have vector and C_e density 1 [P Table XI]. DWCONV 3x3, C = M = G = 4:
        // 4 kernels of 3 row vectors (n = 3), ceNnz = max(12, 1 x 12 x 3) = 36; the rebuild is 36 x 3 = 108 shift-adds
        // of 16 bits, x2 = 216 RE shift-adds per FP pass (WeightRep.syntheticSd)
        List<LayerSpec> dw = List.of(LayerSpec.conv("d", LayerType.DWCONV, 4, 4, 3, 4, 4, 1, 1, 1));
        for (TrainingModel.Mode m : new TrainingModel.Mode[] {TrainingModel.Mode.SDT, TrainingModel.Mode.SS}) {
            TrainingAction rebuild = TrainingModel.actions(dw, m, 0.1, 0.2, l -> 1, 2, A, T).stream()
                .filter(x -> x.action().name().equals("rebuild shift-adds")).findFirst().orElseThrow();
            assertEquals(108, rebuild.quantity(), m.name());
            assertEquals(216, rebuild.action().count(), m.name());
        }
    }

    @Test
    void theSpecsSyntheticWeightSettingsReachTheCounts() {
        // one 1x1 conv, M = 2, C = 7, 3x3 input (FP and WG only): n = 3, 3 vectors of 3 channels per output, 6 in all,
        // all on (vecDensity 1); ceNnz = max(6, 0.5 x 6 x 3) = 9. With huffBits 2 and the VECTOR index (6 bits),
        // ceBytes = (9 x 2 + 6) / 8 = 3; rows ceil(7 / 3) = 3, sliceRows 2 -> numB = 2 x 2 = 4, B = 4 x 9 = 36 bytes
        // (WeightRep.syntheticSd). The update reads and writes C_e (3 bytes each) and B's 36 FP32 parameters.
        List<LayerSpec> pw = List.of(LayerSpec.conv("p", LayerType.CONV, 2, 7, 1, 3, 3, 1, 0, 1));
        TrainingSpec t = new TrainingSpec(4, 2, 2, 3, 2, 4, 2, 4, 2, 3, 4, 4, 2, WeightRep.IdxMode.VECTOR, 2, 128);
        List<TrainingAction> xs = TrainingModel.actions(pw, TrainingModel.Mode.SDT, 0.5, 1, l -> 1, 1, A, t);
        assertEquals(3, count(xs, "DRAM C_e reads"), 1e-12);
        assertEquals(3, count(xs, "DRAM C_e writes"), 1e-12);
        assertEquals(36 * 4, count(xs, "DRAM basis reads (FP32)"), 1e-12);
        assertEquals(9 * 4, count(xs, "update selects"), 1e-12, "selectsPerCeUpdate 4 per C_e non-zero");
        assertEquals(9 * 0.5, count(xs, "DRAM counter reads"), 1e-12, "4-bit counters: half a byte per C_e non-zero");
    }

    private static double count(List<TrainingAction> xs, String name) {
        return xs.stream().filter(x -> x.action().name().equals(name)).mapToDouble(x -> x.action().count()).sum();
    }

    @Test
    void phasesSumTheirLevels() {
        // three actions, one per phase: 2 MAC adds (COMPUTE, 4 pJ each), 3 RF bytes (7 pJ) and 5 SRAM bytes at a 2 KB bank
        // (5 pJ) on chip, 7 DRAM bytes (1 pJ): compute 8, on-chip 21 + 25 = 46, DRAM 7 (DISTINCT's entries)
        TrainingModel.Pass p = TrainingModel.Pass.FORWARD;
        List<TrainingAction> xs = List.of(
            TrainingAction.of("l", p, Action.Level.COMPUTE, Action.Data.ARITH, "adds", 2, "ops", 1, "-", "add"),
            TrainingAction.of("l", p, Action.Level.RF, Action.Data.ARITH, "rf", 3, "bytes", 1, "-", "rf"),
            TrainingAction.of("l", p, Action.Level.SRAM, Action.Data.W, "sram", 5, "bytes", 1, "-", "sram2048"),
            TrainingAction.of("l", p, Action.Level.DRAM, Action.Data.W, "dram", 7, "bytes", 1, "-", "dram"));
        TrainingModel.IterationEnergy e = TrainingModel.IterationEnergy.of(xs, DISTINCT);
        assertEquals(8, e.computePj());
        assertEquals(46, e.onChipPj());
        assertEquals(7, e.dramPj());
        assertEquals(61, e.totalPj());
    }

    @Test
    void paperSettings() {
        // Table II [P]: SD row (C_e 12.77%, W 22.12%) for SD-T, SD-dagger row (10.53%, 17.16%) for SS; VA dense
        assertArrayEquals(new double[] {1, 1}, TrainingModel.paperDensities(TrainingModel.Mode.VA));
        assertArrayEquals(new double[] {0.1277, 0.2212}, TrainingModel.paperDensities(TrainingModel.Mode.SDT));
        assertArrayEquals(new double[] {0.1053, 0.1716}, TrainingModel.paperDensities(TrainingModel.Mode.SS));
        TrainingModel.paperDensities(TrainingModel.Mode.SDT)[0] = 0;
        assertEquals(0.1277, PaperModels.TABLE2_CE_W[3][0], "the caller gets a copy");
        assertEquals("TrainingModel.paperActions: model must be one of [resnet18-cifar, mobilenetv2-cifar], got vgg11",
            message(() -> TrainingModel.paperActions("vgg11", TrainingModel.Mode.VA, A, T)));
    }

    @Test
    void efficiencyOverVaIsTheRatioOfTheIterations() {
        // E_VA / E_mode (HWMODEL.md 5), with the uniform keep ratio passed to every non-depthwise layer
        List<LayerSpec> ls = List.of(LayerSpec.conv("a", LayerType.CONV, 8, 8, 3, 4, 4, 1, 1, 1),
            LayerSpec.conv("b", LayerType.CONV, 8, 8, 3, 4, 4, 1, 1, 1));
        EnergyTable e = EnergyTable.paper28nm();
        double va = TrainingModel.iteration(ls, TrainingModel.Mode.VA, 1, 1, 1, 4, A, e).totalPj();
        double ss = TrainingModel.IterationEnergy.of(TrainingModel.actions(ls, TrainingModel.Mode.SS, 0.3, 0.5, l -> 0.5, 4, A, T), e)
            .totalPj();
        assertEquals(va / ss, TrainingModel.efficiencyOverVa(ls, TrainingModel.Mode.SS, 0.3, 0.5, 0.5, 4, A, e), 1e-12 * va / ss);
        assertEquals(ss, TrainingModel.iteration(ls, TrainingModel.Mode.SS, 0.3, 0.5, 0.5, 4, A, e).totalPj(), 1e-12 * ss);
    }
}
