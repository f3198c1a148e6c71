package org.smartdeal.zoo.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.parameter.FixedValue;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.smartdeal.optim.ModelScore;
import org.smartdeal.zoo.convert.ConversionPlan;
import org.smartdeal.zoo.data.FashionMnist;
import org.smartdeal.zoo.data.TaskSplits;
import org.smartdeal.zoo.models.InputShape;
import org.smartdeal.zoo.models.LeNet300;

/** Fashion-MNIST as Arbiter's data source, and the conversion task creator's data-source path. */
class FashionMnistDataSourceTest {

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    private static boolean data() {
        return FashionMnist.isAvailable(FashionMnist.resolveDir(null));
    }

    private static List<Integer> labels(DataSetIterator it) {
        List<Integer> out = new ArrayList<>();
        it.reset();
        while (it.hasNext()) {
            DataSet ds = it.next();
            for (int i = 0; i < ds.numExamples(); i++) {
                out.add(ds.getLabels().getRow(i).argMax().getInt(0));
            }
        }
        return out;
    }

    @Test
    void theHoldOutIsTaskSplitsOwnAndTheLayoutIsApplied() throws Exception {
        assumeTrue(data(), "Fashion-MNIST not installed in " + FashionMnist.resolveDir(null) + ": skipping");
        FashionMnistDataSource s = new FashionMnistDataSource();
        s.configure(props("validation", "1000", "train", "2000", "batch", "100", "layout", "image", "seed", "7"));
        DataSetIterator test = (DataSetIterator) s.testData();
        DataSetIterator train = (DataSetIterator) s.trainData();
        assertArrayEquals(new long[] {100, 1, 28, 28}, test.next().getFeatures().shape(), "image layout");
        TaskSplits.HoldOut expected = TaskSplits.holdOut(FashionMnist.load(FashionMnist.resolveDir(null), true), 1000, 7);
        List<Integer> want = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            want.add(expected.validation().label(i));
        }
        assertEquals(want, labels(test), "the validation part is TaskSplits.holdOut's, in order");
        assertEquals(2000, labels(train).size(), "train = the first 2000 of the rest");
        assertEquals(DataSetIterator.class, s.getDataType());
    }

    @Test
    void badPropertiesAreNamed() {
        String[][] cases = {
            {"valdation", "10", "unknown property 'valdation'"},
            {"validation", "0", "property validation must be in [1, 59999], got 0"},
            {"batch", "x", "property batch must be a whole number, got 'x'"},
            {"layout", "nchw", "property layout must be flat or image, got 'nchw'"},
            {"train", "-3", "property train must be in [1, 2147483647], got -3"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new FashionMnistDataSource().configure(props(c[0], c[1])));
            assertTrue(e.getMessage().contains(c[2]), e.getMessage());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new FashionMnistDataSource().trainData());
        assertTrue(e.getMessage().contains("configure"), e.getMessage());
    }

    /** ConversionTaskCreator's other create(): Arbiter hands it a data-source class and properties. */
    @Test
    void theTaskCreatorScoresOnTheDataSourcesValidationPart() throws Exception {
        assumeTrue(data(), "Fashion-MNIST not installed in " + FashionMnist.resolveDir(null) + ": skipping");
        MultiLayerNetwork dense = LeNet300.build(InputShape.MNIST, 10, 1, new Adam(1e-3)).init();
        ConversionPlanSpace space = new ConversionPlanSpace.Builder(ConversionPlan.defaultPlan())
                .defaults(new SdHyperparameterSpace.Builder().theta(new FixedValue<>(0.02)).build()).build();
        Candidate<?> candidate = new GridSearchCandidateGenerator(space, 2, GridSearchCandidateGenerator.Mode.Sequential,
                null).getCandidate();
        Properties p = props("validation", "500", "train", "100");
        OptimizationResult r = new ConversionTaskCreator(dense).create(candidate, FashionMnistDataSource.class, p,
                new CompressionScoreFunction(0.5, 1.0), null, null).call();
        assertEquals(CandidateStatus.Complete, r.getCandidateInfo().getCandidateStatus(),
                r.getCandidateInfo().getExceptionStackTrace());
        ConversionCandidate c = (ConversionCandidate) r.getModelSpecificResults();
        assertEquals(500, c.examples());
        FashionMnistDataSource s = new FashionMnistDataSource();
        s.configure(p);
        double byHand = ModelScore.of(ConversionTaskCreator.rebuild(c.sdm(), 0), (DataSetIterator) s.testData()).accuracy();
        assertEquals(byHand, c.accuracy(), 0);
        assertEquals(-c.paperCR(), r.getScore(), 0, "within the bound: score = -paper CR");
    }
}
