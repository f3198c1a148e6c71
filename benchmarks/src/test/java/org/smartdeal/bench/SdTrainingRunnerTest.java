package org.smartdeal.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.smartdeal.hw.spec.LayerSpec;
import org.smartdeal.hw.spec.LayerType;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.convert.LayerPlan;
import org.smartdeal.zoo.convert.SdConverter;
import org.smartdeal.zoo.data.TaskSplits.Task;
import org.smartdeal.zoo.models.ZooModel;
import org.smartdeal.zoo.recipes.RecipeListener.EpochResult;
import org.smartdeal.zoo.recipes.TrainingSettings;
import org.smartdeal.zoo.recipes.Variant;

/**
 * The energy-model inputs the runner measures, against hand counts of the slice layout (ALGORITHMS.md 2), and
 * its tables with and without the test figures sealed.
 */
class SdTrainingRunnerTest {

    /**
     * 20 -> fc1 7 -> out 3, converted with slices of at most 4 rows and basis width 3: fc1 has R = 7 real
     * rows per unit (S = 2 slices of 4 rows, one padding row), out R = 3 (one slice). Real rows: 7 * 7 + 3 * 3
     * = 58; real entries 3 * 58 = 174 (the packed C of fc1 holds 7 * 8 rows).
     */
    @Test
    void densitiesCountRealRowsAndEntriesOnly() {
        MultiLayerNetwork dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(20).nOut(7).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(7).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        dense.init();
        LayerPlan d = LayerPlan.DEFAULTS;
        LayerPlan rows4 = new LayerPlan("defaults", 7e-3, 4, 3, d.maxCoeff(), d.maxIter(), d.tol(), 0, 0, false);
        MultiLayerNetwork net = (MultiLayerNetwork) SdConverter.convert(dense,
                new ConversionPlan(rows4, false, Map.of())).network();
        INDArray c1 = net.getLayer("fc1").getParam("C");
        INDArray c2 = net.getLayer("out").getParam("C");
        assertEquals(7L * 2 * 4 * 3, c1.length());
        c1.assign(0);
        c2.assign(0);
        c1.putScalar(0, 1.0); // unit 0, slice 0, row 0: two entries in one row
        c1.putScalar(1, 0.5);
        c2.putScalar(c2.length() - 1, -2.0); // unit 2, last row, last column
        assertArrayEquals(new double[] {3.0 / 174, 2.0 / 58}, SdTrainingRunner.coefficientDensities(net), 1e-12);
    }

    /**
     * SS prunes every layer but the classifier: the logged keep = 1 - sum(ratio_l * MACs_l) / all MACs; per-layer
     * ratios weigh their own layers (hand calculation on LeNet-300-100, whose MACs per image equal its
     * 235,200 + 30,000 + 1,000 weights).
     */
    @Test
    void ssKeepWeighsThePrunedLayersByMacs() {
        List<LayerSpec> specs = List.of(LayerSpec.fc("fc1", LayerType.FC, 300, 784, true),
                LayerSpec.fc("fc2", LayerType.FC, 100, 300, true), LayerSpec.fc("fc3", LayerType.FC, 10, 100, true));
        TrainingSettings.Builder ss = TrainingSettings.builder(Task.FINETUNE, Variant.SS, ZooModel.LENET300);
        // 235,200 + 30,000 pruned of 266,200 weights.
        assertEquals(1 - 0.3 * 265_200.0 / 266_200.0, SdTrainingRunner.ssKeep(specs, ss.structuredRatio(0.3).build()),
                1e-12);
        assertEquals(1.0, SdTrainingRunner.ssKeep(specs, ss.structuredRatio(0.0).build()), 0.0);
        // fc1 0.1, fc2 the default 0.3, the classifier 0.5: (23,520 + 9,000 + 500) / 266,200.
        TrainingSettings perLayer = ss.structuredRatio(0.3).layerRatios(Map.of("fc1", 0.1, "fc3", 0.5)).build();
        assertEquals(1 - 33_020.0 / 266_200.0, SdTrainingRunner.ssKeep(specs, perLayer), 1e-12);
        assertEquals(1.0, SdTrainingRunner.ssKeep(specs,
                TrainingSettings.builder(Task.FINETUNE, Variant.SD, ZooModel.LENET300).build()), 0.0);
    }

    /** VA trains no C, so it has no switch count ("-"); an SD run lists one count per epoch. */
    @Test
    void switchedIsADashForDenseRunsAndOneCountPerEpochForSd() {
        List<EpochResult> va = List.of(new EpochResult("training", 1, 2, 0.05, 0.4, 0, false, 1.0),
                new EpochResult("training", 2, 2, 0.05, 0.3, 0, false, 1.0));
        List<EpochResult> sd = List.of(new EpochResult("training", 1, 3, 0.05, 0.4, 10, true, 1.0),
                new EpochResult("training", 2, 3, 0.05, 0.3, 0, true, 1.0),
                new EpochResult("training", 3, 3, 0.05, 0.3, 2, true, 1.0));
        assertEquals("-", SdTrainingRunner.switchedText(va));
        assertEquals("10 0 2", SdTrainingRunner.switchedText(sd));
    }

    /**
     * With the test sealed, results.md and results.csv carry no digit of the test accuracies (0.987654 and
     * 0.912345 here) but keep the validation accuracy; sealed-test.csv holds exactly those two figures.
     */
    @Test
    void sealedTablesHideTheTestFiguresAndTheSealedFileHoldsThem() {
        List<SdTrainingRunner.Row> rows = List.of(new SdTrainingRunner.Row("cnn", "adapt", "sd", 0.987654, 0.912345,
                34_078, 270_538, 751.8, 1.0943, "10 0", 0.9654));
        String md = SdTrainingRunner.markdown(rows, true);
        String csv = SdTrainingRunner.csv(rows, true);
        for (String table : List.of(md, csv)) {
            assertFalse(table.contains("98.77") || table.contains("0.987654") || table.contains("91.23")
                    || table.contains("0.912345"), table);
            assertTrue(table.contains("sealed"), table);
        }
        assertTrue(md.contains("| 96.54% | sealed | sealed | 34078 |"), md);
        assertTrue(csv.endsWith("cnn,adapt,sd,sealed,sealed,34078,270538,751.8,1.0943,10 0,0.965400\n"), csv);
        assertEquals("arch,task,variant,accuracy,fileAccuracy\ncnn,adapt,sd,0.987654,0.912345\n",
                SdTrainingRunner.sealedCsv(rows));
        assertTrue(SdTrainingRunner.markdown(rows, false).contains("| 96.54% | 98.77% | 91.23% | 34078 |"));
        assertTrue(SdTrainingRunner.csv(rows, false).contains("cnn,adapt,sd,0.987654,0.912345,34078,"));
    }
}
