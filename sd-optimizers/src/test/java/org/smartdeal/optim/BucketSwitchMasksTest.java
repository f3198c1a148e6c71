package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Explicit masks installed into the BucketSwitch updater state of a plain DenseLayer. */
class BucketSwitchMasksTest {

    private static MultiLayerNetwork net() {
        MultiLayerNetwork net = new MultiLayerNetwork(SdUpdaterRouting.route(TestNets.denseConf(),
                Set.of(TestNets.DENSE_W), BucketSwitch.builder(1.0).thetaC(1).maskInState(true).build(),
                SdUpdaterRouting.sgdMomentum(0.05), 0));
        net.init();
        net.getLayer(0).getParam("W").assign(0); // every entry a zero that may revive if inside the mask
        return net;
    }

    @Test
    void onlyZerosInsideAnExplicitMaskRevive() {
        MultiLayerNetwork net = net();
        // asymmetric mask: only row 0 and column 4 of W [6, 5] are inside (10 entries)
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 6, 5);
        mask.getRow(0).assign(1);
        mask.getColumn(4).assign(1);
        BucketSwitchMasks.install(net, Map.of(TestNets.DENSE_W, mask));
        List<DataSet> data = TestNets.data(6, 9);
        for (DataSet ds : data) {
            net.fit(ds);
        }
        INDArray w = net.getLayer(0).getParam("W");
        INDArray outside = w.mul(mask.rsub(1));
        assertEquals(0.0, outside.norm1Number().doubleValue(), 0.0);
        long revived = w.neq(0).castTo(DataType.INT32).sumNumber().longValue();
        // thetaC 1 and lr 1: every inside entry with a non-dead gradient revives at the first step
        assertTrue(revived >= 5 && revived <= 10, "revived " + revived + " of the 10 entries inside the mask");
    }

    @Test
    void rejectsWrongShapeNonBinaryMasksAndParamsWithoutMaskState() {
        MultiLayerNetwork net = net();
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> BucketSwitchMasks.install(net, Map.of(TestNets.DENSE_W, Nd4j.ones(DataType.FLOAT, 5, 6))));
        assertTrue(shape.getMessage().contains("[5, 6]") && shape.getMessage().contains("[6, 5]"));
        INDArray half = Nd4j.ones(DataType.FLOAT, 6, 5).muli(0.5);
        assertThrows(IllegalArgumentException.class,
                () -> BucketSwitchMasks.install(net, Map.of(TestNets.DENSE_W, half)));
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> BucketSwitchMasks.install(net, Map.of(ParamRef.of("layer1", "W"), Nd4j.ones(5, 3))));
        assertTrue(other.getMessage().contains("layer1/W"));
    }

    @Test
    void projectionRoundsTiesUpAndDropsBelowThreshold() {
        double theta = 4e-3;
        assertEquals(1.0, Pow2.project(0.75, theta));     // tie between 0.5 and 1 -> up
        assertEquals(0.5, Pow2.project(0.7, theta));
        assertEquals(4.0, Pow2.project(3.0, theta));      // tie between 2 and 4 -> up
        assertEquals(-0.25, Pow2.project(-0.1875, theta));
        assertEquals(0.0, Pow2.project(0.0039, theta));   // < theta - 1e-5 = 0.00399
        // >= 0.00399: nearest power 2^-8 is below 0.00399, where P applied again would give 0: the smallest power P
        // keeps, 2^-7 (Pow2Quantizer.smallestKept), so that P(P(c)) = P(c)
        assertEquals(0x1p-7, Pow2.project(0.003995, theta));
        assertEquals(0x1p-7, Pow2.project(Pow2.project(0.003995, theta), theta));
        assertEquals(0.0, Pow2.project(0.0, theta));
        Random rnd = new Random(1);
        for (int i = 0; i < 1000; i++) {
            double c = rnd.nextGaussian();
            assertTrue(Pow2.isZeroOrSignedPowerOfTwo(Pow2.project(c, theta)));
        }
    }
}
