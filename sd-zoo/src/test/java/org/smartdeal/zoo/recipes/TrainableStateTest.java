package org.smartdeal.zoo.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.smartdeal.optim.BucketSwitch;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.ZooConfiguration;
import org.smartdeal.zoo.models.ZooModel;

/** {@link TrainableState} against hand counts of the packed shapes (ALGORITHMS.md 2) and updater state sizes. */
class TrainableStateTest {

    @Test
    void denseLeNetHoldsValueAndMomentumPerParameter() {
        MultiLayerNetwork net = ((ZooConfiguration.Sequential) ZooModel.LENET300.configuration(InputShape.MNIST, 10, 1))
                .init();
        SdTraining.configure(net, BucketSwitch.builder(0.01).build(), new Nesterovs(0.01, 0.9), 5e-4);
        // 266,610 parameters (ModelStatsTest), 4 bytes of value and 4 of Nesterovs momentum each.
        assertEquals(266_610L * 8, TrainableState.bytes(net));
        assertEquals(266_610L * 8, TrainableState.bytesAsHeld(net));
    }

    @Test
    void sdNetworkCountsCInsideItsMaskAtStorageWidth() {
        MultiLayerNetwork net = SdTrainingWiringTest.sdMlp();
        SdTraining.configure(net, BucketSwitch.builder(0.01).theta(7e-3).build(), new Nesterovs(0.01, 0.9), 5e-4);
        long inside = 0;
        for (String l : new String[] {"fc1", "fc2", "out"}) {
            inside += net.getLayer(l).getParam("M").sumNumber().longValue();
        }
        // C: fc1 252, fc2 96, out 27 entries (SdTrainingWiringTest); bitmaps 32 + 12 + 4 bytes; 3 epoch words.
        // B and b at 4 + 4 bytes: (108 + 12) + (72 + 8) + (27 + 3) = 230 entries -> 1,840 bytes.
        // BatchNorm: gamma, beta 24 entries at 8 bytes; running mean and variance 24 entries at 4 bytes.
        long others = 1_840 + 192 + 96;
        assertEquals(6 * inside + 48 + 12 + others, TrainableState.bytes(net));
        assertEquals(6L * (252 + 96 + 27) + 12 + others, TrainableState.bytesAsHeld(net));
    }
}
