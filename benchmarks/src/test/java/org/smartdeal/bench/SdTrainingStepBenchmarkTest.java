package org.smartdeal.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.smartdeal.layers.SdLayer;
import org.smartdeal.optim.ParamRef;
import org.smartdeal.optim.SdTraining;
import org.smartdeal.zoo.models.ZooModel;

/**
 * The networks {@link SdTrainingStepBenchmark} times are the ones it says: VA dense, SD with every Dense, Output and
 * Convolution layer in SD form and a bucket switch as the updater of each C, and steps leave every C entry 0 or a
 * signed power of two within maxCoeff (no float updater reaches C; with theta_c = 7 two steps cannot switch an
 * entry, so this does not test the switching itself, which sd-optimizers' tests do). No timing here.
 */
class SdTrainingStepBenchmarkTest {

    @Test
    void variantsAreTheDenseAndTheSdNetworkAndAStepKeepsCOnTheGrid() {
        for (ZooModel arch : new ZooModel[] {ZooModel.LENET300, ZooModel.CNN}) {
            MultiLayerNetwork va = SdTrainingStepBenchmark.network(arch, "va");
            MultiLayerNetwork sd = SdTrainingStepBenchmark.network(arch, "sd");
            assertTrue(SdTraining.coefficientParams(va).isEmpty(), arch + " va has no SD layer");
            Set<ParamRef> cs = SdTraining.coefficientParams(sd);
            // lenet300: fc1, fc2, fc3 (output); cnn: conv1-3, fc1, fc2 (its zoo layers, README "smartdeal convert")
            assertEquals(arch == ZooModel.LENET300 ? 3 : 5, cs.size(), arch + " SD layers: " + cs);
            SdTrainingStepBenchmark b = new SdTrainingStepBenchmark();
            b.arch = arch.id();
            b.variant = "sd";
            b.setUp();
            INDArray before = b.network().params().dup();
            for (int step = 0; step < 2; step++) {
                b.fitStep();
            }
            MultiLayerNetwork trained = b.network();
            assertNotEquals(before, trained.params(), arch + ": the steps trained the network");
            assertTrue(Double.isFinite(trained.score()), arch + " finite loss");
            for (ParamRef c : cs) {
                assertTrue(((org.deeplearning4j.nn.conf.layers.BaseLayer) trained.getLayer(c.layerName()).conf()
                        .getLayer()).getUpdaterByParam(c.paramKey()) instanceof org.smartdeal.optim.BucketSwitch,
                        arch + " " + c + " trains with the bucket switch");
                INDArray v = trained.getLayer(c.layerName()).getParam(c.paramKey());
                double maxCoeff = ((SdLayer) trained.getLayer(c.layerName()).conf().getLayer()).getMaxCoeff();
                long nonZero = 0;
                for (float f : v.dup().data().asFloat()) {
                    if (f != 0) {
                        nonZero++;
                        float a = Math.abs(f);
                        assertEquals(Math.scalb(1f, Math.getExponent(a)), a, 0f, arch + " " + c + ": " + f
                                + " is not a power of two");
                        assertTrue(Math.abs(f) <= maxCoeff, arch + " " + c + ": " + f + " above maxCoeff " + maxCoeff);
                    }
                }
                assertNotEquals(0, nonZero, arch + " " + c + " has non-zeros");
            }
        }
        assertTrue(SdTraining.coefficientParams(SdTrainingStepBenchmark.network(ZooModel.LENET300, "adam")).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> SdTrainingStepBenchmark.network(ZooModel.LENET300, "ss"));
    }
}
