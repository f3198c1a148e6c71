package org.smartdeal.zoo.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Every small (28x28 / CIFAR) zoo network runs a forward pass and one training step on a batch
 * of 2 at its natural input size; MobileNetV2 runs a forward pass at 224x224. The ResNet-20
 * option-A shortcut is checked element-wise. The other ImageNet models are only counted
 * (ModelStatsTest): their forward passes take 5-60 s each on a busy 2-core machine. Measured
 * run time of this class: about 40 s on a quiet 2-core machine, about 3.5 min at load 14.
 */
class ZooNetworkTest {

    private static final int BATCH = 2;

    /**
     * Every zoo model that is not ImageNet-sized is in {@link #smallModelsForwardAndTrain}'s list (ImageNet models
     * run in src-it's LargeZooConversionTest and {@link #mobileNetV2ForwardAtImageNetSize}): a new entry is not left out
     * without a word (docs/EXTENDING.md 5).
     */
    @Test
    void everyModelThatIsNotImageNetSizedIsInTheSmallList() throws NoSuchMethodException {
        EnumSource listed = getClass().getDeclaredMethod("smallModelsForwardAndTrain", ZooModel.class)
            .getAnnotation(EnumSource.class);
        java.util.Set<String> small = java.util.Arrays.stream(ZooModel.values())
            .filter(m -> m.defaultInputShape() != InputShape.IMAGENET).map(Enum::name)
            .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        assertEquals(small, new java.util.TreeSet<>(java.util.List.of(listed.names())),
            "smallModelsForwardAndTrain's names must be the zoo models that are not ImageNet-sized");
    }

    @ParameterizedTest(name = "{0}: forward + one training step")
    @EnumSource(value = ZooModel.class, names = {"LENET300", "CNN", "VGG11_CIFAR", "VGG16_CIFAR", "VGG19_CIFAR",
        "RESNET18_CIFAR", "RESNET20", "RESNET56", "RESNET164", "MOBILENETV2_CIFAR"})
    void smallModelsForwardAndTrain(ZooModel model) {
        ZooConfiguration conf = model.defaultConfiguration();
        Model net = conf.init();
        DataSet batch = randomBatch(model, 11L);

        INDArray out = output(net, batch.getFeatures());
        assertSoftmaxRows(out, model.defaultNumClasses());

        INDArray before = net.params().dup();
        fit(net, batch);
        INDArray after = net.params();
        assertFalse(before.equals(after), model.id() + ": parameters unchanged after one step");
        assertTrue(Double.isFinite(net.score()), model.id() + ": score " + net.score());
        assertFalse(BooleanIndexing.or(after, Conditions.isNan()), model.id() + ": NaN parameters");
    }

    @Test
    void mobileNetV2ForwardAtImageNetSize() {
        Model net = ZooModel.MOBILENETV2.defaultConfiguration().init();
        INDArray out = output(net, randomBatch(ZooModel.MOBILENETV2, 5L).getFeatures());
        assertSoftmaxRows(out, 1000);
    }

    @Test
    void optionAShortcutSubsamplesAndAppendsZeroChannels() {
        ComputationGraph net = (ComputationGraph) ZooModel.RESNET20.defaultConfiguration().init();
        Nd4j.getRandom().setSeed(3L);
        Map<String, INDArray> acts = net.feedForward(Nd4j.rand(InputShape.CIFAR.batchShape(BATCH)), false);
        INDArray in = acts.get("layer1.2.relu");            // [2, 16, 32, 32]
        INDArray shortcut = acts.get("layer2.0.shortcut");   // [2, 32, 16, 16]
        assertArrayEquals(new long[] {BATCH, 32, 16, 16}, shortcut.shape());
        INDArray strided = in.get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(0, 2, 32), NDArrayIndex.interval(0, 2, 32));
        assertEquals(strided, shortcut.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 16),
                NDArrayIndex.all(), NDArrayIndex.all()));
        assertEquals(0.0, shortcut.get(NDArrayIndex.all(), NDArrayIndex.interval(16, 32),
                NDArrayIndex.all(), NDArrayIndex.all()).amaxNumber().doubleValue());
    }

    private static DataSet randomBatch(ZooModel model, long seed) {
        InputShape s = model.defaultInputShape();
        Nd4j.getRandom().setSeed(seed);
        boolean flat = model == ZooModel.LENET300 || model == ZooModel.CNN;
        INDArray x = flat ? Nd4j.rand(BATCH, (int) s.size()) : Nd4j.rand(s.batchShape(BATCH));
        INDArray y = Nd4j.zeros(BATCH, model.defaultNumClasses());
        y.putScalar(0, 1, 1.0);
        y.putScalar(1, 3, 1.0);
        return new DataSet(x, y);
    }

    private static INDArray output(Model net, INDArray x) {
        if (net instanceof MultiLayerNetwork mln) {
            return mln.output(x);
        }
        return ((ComputationGraph) net).outputSingle(x);
    }

    private static void fit(Model net, DataSet batch) {
        if (net instanceof MultiLayerNetwork mln) {
            mln.fit(batch);
        } else {
            ((ComputationGraph) net).fit(batch);
        }
    }

    private static void assertSoftmaxRows(INDArray out, int classes) {
        assertArrayEquals(new long[] {BATCH, classes}, out.shape());
        INDArray sums = out.sum(1);
        for (int i = 0; i < BATCH; i++) {
            assertEquals(1.0, sums.getDouble(i), 1e-4);
        }
    }
}
