package org.smartdeal.hw.model;

import org.junit.jupiter.api.Test;
import org.smartdeal.hw.spec.ActStats;
import org.smartdeal.hw.spec.ArchSpec;
import org.smartdeal.hw.spec.EnergyTable;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.hw.spec.PaperModels;
import org.smartdeal.hw.spec.WeightRep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cycle counts of two ResNet-50 layers derived by hand from HWMODEL.md 2.2/2.4 and the Table IX
 * resources (SD: dim_M 64 slices x dim_C 16 lines x dim_F 8 MACs; DianNao Tn = Ti = 32; 1 GHz;
 * W buffer 256 KB, I buffer 512 KB, half of each per tile; DRAM 25.6 B/cycle), compared with the
 * code (docs/HWMODEL-RESULTS.md, "Hand check"). Activation statistics are fixed round numbers
 * (tSD 2.5, rowZero 0.25, boothDig 1.4; Bit-pragmatic: tPRA 5 and praTerms 1.2 oneffsets against bitsRaw 1.6
 * set bits) so every product can be followed on paper.
 */
class HandCalcTest {
    static final ArchSpec ARCH = ArchSpec.paper();
    static final EnergyTable E = EnergyTable.paper28nm();
    static final ActStats ACT = new ActStats(0.5, 1.6, 1.4, 0.25, 2.5, 5, 1.2, 0.5, null);
    /** ResNet-50 stage 2, block 1: 3x3 conv, 128 -> 128 channels, 28x28, stride 1, pad 1. */
    static final LayerSpec C3 = LayerSpec.conv("s2b1_b", LayerType.CONV, 128, 128, 3, 28, 28, 1, 1, 1);
    /** ResNet-50 stage 2, block 1: 1x1 conv, 512 -> 128 channels, 28x28. */
    static final LayerSpec C1 = LayerSpec.conv("s2b1_a", LayerType.CONV, 128, 512, 1, 28, 28, 1, 0, 1);

    @Test
    void layersAreThoseOfThePaperResNet50() {
        var ls = PaperModels.layers("resnet50");
        LayerSpec b = ls.stream().filter(l -> l.id().equals("s2b1_b")).findFirst().orElseThrow();
        LayerSpec a = ls.stream().filter(l -> l.id().equals("s2b1_a")).findFirst().orElseThrow();
        assertEquals(C3.macs(), b.macs());
        assertEquals(C1.macs(), a.macs());
        // 28*28*128*128*9 and 28*28*512*128
        assertEquals(115_605_504.0, C3.macs());
        assertEquals(51_380_224.0, C1.macs());
    }

    @Test
    void dianNaoComputeCycles() {
        // N*E*F*R*S*ceil(C/32)*ceil(M/32) = 784*9*4*4 = 112,896 (= MACs/1024: fully used)
        assertEquals(112_896, new DianNao().count(C3, WeightRep.dense(C3), ACT, ARCH).ccomp(), 1e-9);
        // 784*1*16*4 = 50,176
        assertEquals(50_176, new DianNao().count(C1, WeightRep.dense(C1), ACT, ARCH).ccomp(), 1e-9);
    }

    @Test
    void smartDealComputeCyclesDenseWeights() {
        // seg = ceil(28/8) = 4; a line holds channels c = l mod 16: 128/16 = 8 kernels x 9 weights = 72;
        // 2 groups of 64 filters -> 144; Ccomp = E*seg*(1-rowZero)*tSD*144 = 28*4*0.75*2.5*144 = 30,240
        assertEquals(30_240, new SmartDealAccel().count(C3, WeightRep.dense(C3), ACT, ARCH).ccomp(), 1e-6);
        // 1x1: 512/16 = 32 per line, x2 groups = 64; 112*0.75*2.5*64 = 13,440
        assertEquals(13_440, new SmartDealAccel().count(C1, WeightRep.dense(C1), ACT, ARCH).ccomp(), 1e-6);
        // compute-only speedup 112,896/30,240 = 3.733 = 8/(tSD(1-rowZero)) x 28/32 (seg padding)
        assertEquals(8 / (2.5 * 0.75) * 28 / 32, 112_896.0 / 30_240, 1e-12);
    }

    /** C3 with channels c < 64 keeping all three kernel rows (9 weights) and c >= 64 only row 0 (3 weights). */
    private static WeightRep structuredC3() {
        int[] w = new int[128 * 128 * 9];
        for (int m = 0; m < 128; m++) for (int c = 0; c < 128; c++) for (int j = 0; j < 9; j++)
            w[(m * 128 + c) * 9 + j] = c < 64 || j < 3 ? 1 + j : 0;
        return WeightRep.fromWeights(C3, WeightRep.Kind.DENSE8, w, 0, 0, 0, 0);
    }

    @Test
    void smartDealComputeCyclesStructuredWeights() {
        // channels c < 64 keep all three kernel rows (9 weights), c >= 64 only row 0 (3 weights):
        // per line 4*9 + 4*3 = 48, x2 groups = 96 -> 112*0.75*2.5*96 = 20,160
        WeightRep rep = structuredC3();
        ActionCounts sd = new SmartDealAccel().count(C3, rep, ACT, ARCH);
        assertEquals(20_160, sd.ccomp(), 1e-6);
        // effectual terms nzMac*boothDig = 784*128*768*1.4 = 107,898,470.4: the ideal array bound 13,171 cycles
        assertEquals(107_898_470.4, sd.work(), 1e-3);
        assertTrue(sd.work() / 8192 < sd.ccomp());
    }

    @Test
    void bitPragmaticCountsOneffsetsNotSetBits() {
        // cycles: tPRA x N x ceil(M/64) x E x ceil(F/8) x R x S x ceil(C/16) = 5 x 1 x 2 x 28 x 4 x 9 x 8 = 80,640
        ActionCounts pra = new BitPragmatic().count(C3, WeightRep.dense(C3), ACT, ARCH);
        assertEquals(80_640, pra.ccomp(), 1e-9);
        // terms: one per oneffset of each MAC's activation, MACs x praTerms = 115,605,504 x 1.2 = 138,726,604.8 (the set
        // bits, bitsRaw 1.6, would give 184,968,806.4)
        assertEquals(138_726_604.8, pra.count("bit-serial terms"), 1e-6);
        assertEquals(138_726_604.8, pra.work(), 1e-6, "useful operations: the terms");
        assertEquals(1.2, pra.derivation().quantities().get("praTerms"), 0);
    }

    @Test
    void smartDealAccumulatorsFollowBitPragmaticsRule() {
        // fix 32: a read and a write of a 3-byte psum per busy output per cycle. Dense weights: every slice works
        // 72 weights x tSD 2.5 x rowKeep 0.75 = 135 cycles per segment row for each of its N E F = 784 outputs:
        // 6 x 784 x 128 filters x 135 = 81,285,120 B
        ActionCounts sd = new SmartDealAccel().count(C3, WeightRep.dense(C3), ACT, ARCH);
        assertEquals(81_285_120, sd.count("accumulator read+write"), 1e-6);
        // Bit-pragmatic on the same layer charges 6 tPRA x (E R S ceil(C/16) = 28 x 9 x 8 steps per filter and
        // window) x M x F: with dense weights its steps per output are SmartDeal's 72 weights per line, so the two
        // differ only by the cycles per step, tPRA 5 against tSD rowKeep 1.875
        ActionCounts pra = new BitPragmatic().count(C3, WeightRep.dense(C3), ACT, ARCH);
        assertEquals(6.0 * 5 * (28 * 9 * 8) * 128 * 28, pra.count("accumulator read+write"), 1e-6);
        assertEquals(pra.count("accumulator read+write") * 2.5 * 0.75 / 5, sd.count("accumulator read+write"), 1e-6);
        // the structured weights of the test above: each slice's busiest line holds 48 weights, 6 x 784 x 128 x 48 x
        // 1.875 = 54,190,080 B
        WeightRep rep = structuredC3();
        assertEquals(54_190_080, new SmartDealAccel().count(C3, rep, ACT, ARCH).count("accumulator read+write"), 1e-6);
    }

    @Test
    void rooflineCyclesWithDram() {
        // DRAM: W 147,456 B > CapW 131,072 -> t_M = 2 with M innermost: W, I, O each move once:
        // 147,456 + 100,352 + 100,352 = 348,160 B = 13,600 cycles at 25.6 B/cycle;
        // fill = (first W tile 73,728 + first I tile 100,352) / 25.6 = 6,800 cycles: the I tile holds
        // HWMODEL.md 2.1's c_t((e_t-1)U+R)((f_t-1)U+S) = 128*30*30 bytes on chip, but its one-pixel padding is
        // made there, so DRAM sends the 128*28*28 real pixels (fix 9; 115,200 B and 7,380 cycles before).
        LayerResult dn = CostModel.price(new DianNao().count(C3, WeightRep.dense(C3), ACT, ARCH), C3, ARCH, E);
        assertEquals(348_160, dn.dramBytes(), 1e-6);
        assertEquals(6_800, dn.fill(), 1e-6);
        assertEquals(112_896 + 6_800, dn.cycles(), 1e-6);
        // SmartDeal with the same dense 8-bit weights has the same traffic: 30,240 + 6,800 = 37,040
        LayerResult sd = CostModel.price(new SmartDealAccel().count(C3, WeightRep.dense(C3), ACT, ARCH), C3, ARCH, E);
        assertEquals(348_160, sd.dramBytes(), 1e-6);
        assertEquals(30_240 + 6_800, sd.cycles(), 1e-6);
    }
}
