package org.smartdeal.hw.train;

import org.smartdeal.hw.spec.Specs;
import org.smartdeal.hw.spec.WeightRep;

/**
 * The constants of the training-energy model (HWMODEL.md 5), one set for VA, SD-T and SS. Defaults
 * and per-field sources are in resource {@code training-v1.json}; every action of
 * {@link TrainingModel#actions} names the fields its count uses, and the training reports echo them.
 *
 * @param multWidthFactor    8-bit multiplies per 16-bit multiply [A, HWMODEL.md 5: x4] 4
 * @param addWidthFactor     8-bit adds per 16-bit add, also RE shift-adds per 16-bit rebuild shift-add
 *                           [A, HWMODEL.md 5: x2] 2
 * @param rfBytesPerAccess   bytes per RF access of a 16-bit operand [A, HWMODEL.md 5: x2] 2
 * @param rfAccessesPerMac   RF accesses per MAC: weight, input, partial sum [A] 3
 * @param activationBytes    bytes per activation and activation gradient in DRAM [A, HWMODEL.md 5] 2
 * @param masterWeightBytes  bytes per FP32 master weight, read and written by every SGD-momentum update of W and B
 *                           [P Table V: the stored model is FP32] 4
 * @param workingWeightBytes bytes per weight of VA's working copy, which its FP and BP read and each update
 *                           writes (the 16-bit datapath's operand width; fix 36) [A] 2
 * @param momentumBytes      bytes per momentum entry [A, HWMODEL.md 5] 4
 * @param gradientBytes      bytes per weight gradient (VA: W; SD-T: C_e non-zero, B entry), written by WG
 *                           and read by the update [A, HWMODEL.md 5; fix 23] 2
 * @param updateOpsPerParam  SGD-momentum operations per parameter, each a 16-bit MAC [HWMODEL.md 5; A] 3
 * @param counterBits        bits of one bucket-switch counter per C_e non-zero [A, HWMODEL.md 5] 4
 * @param selectsPerCeUpdate selects per C_e non-zero update: threshold, sign, counter, compare [A] 4
 * @param huffBits           Huffman bits per C_e non-zero of the synthetic SD weights [P App. B] 2.3
 * @param idxMode            C_e index of the synthetic SD weights [P App. B] VECTOR_ELEM
 * @param sliceRows          C_e rows per basis slice of the synthetic SD weights [A] 192
 * @param paperBatch         minibatch of the Tables V/VI comparison [HWMODEL.md 5] 128
 */
public record TrainingSpec(double multWidthFactor, double addWidthFactor, double rfBytesPerAccess, double rfAccessesPerMac,
                           double activationBytes, double masterWeightBytes, double workingWeightBytes,
                           double momentumBytes, double gradientBytes,
                           double updateOpsPerParam, double counterBits, double selectsPerCeUpdate, double huffBits,
                           WeightRep.IdxMode idxMode, int sliceRows, int paperBatch) {

    /** Validates every field; errors name the field, the range and the value. */
    public TrainingSpec {
        double[] v = {multWidthFactor, addWidthFactor, rfBytesPerAccess, rfAccessesPerMac, activationBytes, masterWeightBytes,
            workingWeightBytes, momentumBytes, gradientBytes, updateOpsPerParam, counterBits, selectsPerCeUpdate};
        String[] n = {"multWidthFactor", "addWidthFactor", "rfBytesPerAccess", "rfAccessesPerMac", "activationBytes",
            "masterWeightBytes", "workingWeightBytes", "momentumBytes", "gradientBytes", "updateOpsPerParam", "counterBits",
            "selectsPerCeUpdate"};
        for (int k = 0; k < v.length; k++) range(n[k], v[k], 0, 64);
        range("huffBits", huffBits, 1, 8);
        range("sliceRows", sliceRows, 1, 1 << 20);
        range("paperBatch", paperBatch, 1, 4096);
        if (idxMode == null) throw new IllegalArgumentException("TrainingSpec.idxMode must be VECTOR or VECTOR_ELEM, got null");
    }

    private static void range(String field, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi))
            throw new IllegalArgumentException("TrainingSpec." + field + " must be in [" + Specs.plain(lo) + ", "
                + Specs.plain(hi) + "], got " + Specs.plain(v));
    }

    /** The defaults of resource {@code training-v1.json}. */
    public static TrainingSpec defaults() {
        return Specs.load(TrainingSpec.class, "training-v1.json");
    }

    /** Bytes of one bucket-switch counter, {@code counterBits / 8}. */
    public double counterBytes() {
        return counterBits / 8;
    }
}
