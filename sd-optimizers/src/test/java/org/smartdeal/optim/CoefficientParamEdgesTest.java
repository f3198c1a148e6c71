package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link CoefficientParam} at the edges mutation testing found untested: the range of a parameter's own theta at
 * both ends, which mask source each factory gives, and how each describes itself.
 */
class CoefficientParamEdgesTest {

    private static final ParamRef C = ParamRef.of("sd1", "C");

    /** withTheta: "in (0, 1]", so 1 and the smallest positive double are accepted, 0 and just above 1 are not. */
    @Test
    void aParametersOwnThetaIsInZeroExcludedToOneIncluded() {
        CoefficientParam p = CoefficientParam.maskedBy(C, "M");
        assertEquals(1.0, p.withTheta(1.0).thetaOr(0.5), 0.0);
        assertEquals(Double.MIN_VALUE, p.withTheta(Double.MIN_VALUE).thetaOr(0.5), 0.0);
        assertEquals(0.5, p.thetaOr(0.5), 0.0, "no theta of its own: the fallback");
        for (double theta : new double[] {0.0, Math.nextUp(1.0), -0.25, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.withTheta(theta));
            assertEquals("theta of sd1/C must be in (0, 1], got " + theta, e.getMessage());
        }
    }

    /** Only nonZeroAtStart takes its mask from C's non-zeros at the start; maskedBy and withMask have their own. */
    @Test
    void eachFactoryNamesItsMaskSource() {
        INDArray mask = Nd4j.ones(DataType.FLOAT, 6, 5);
        assertFalse(CoefficientParam.maskedBy(C, "M").isNonZeroAtStart());
        assertFalse(CoefficientParam.withMask(C, mask).isNonZeroAtStart());
        assertTrue(CoefficientParam.nonZeroAtStart(C).isNonZeroAtStart());
        assertEquals(List.of("sd1/C masked by M", "sd1/C with explicit mask", "sd1/C masked by C != 0 at start",
                        "sd1/C with explicit mask, theta 0.25", "sd1/C masked by C != 0 at start, theta 0.125"),
                List.of(CoefficientParam.maskedBy(C, "M").toString(),
                        CoefficientParam.withMask(C, mask).toString(),
                        CoefficientParam.nonZeroAtStart(C).toString(),
                        CoefficientParam.withMask(C, mask).withTheta(0.25).toString(),
                        CoefficientParam.nonZeroAtStart(C).withTheta(0.125).toString()));
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> CoefficientParam.maskedBy(C, " "));
        assertEquals("maskParamKey of sd1/C must be non-blank, got ' '", blank.getMessage());
    }

    /**
     * An explicit mask is copied when given and handed out as a new array of C's data type (float here, from a
     * double mask); one of another shape than C is refused naming both shapes.
     */
    @Test
    void anExplicitMaskIsCopiedAndMustHaveCsShape() {
        MultiLayerNetwork net = new MultiLayerNetwork(TestNets.denseConf());
        net.init();
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, 6, 5);
        mask.putScalar(0, 0, 1.0);
        CoefficientParam p = CoefficientParam.withMask(TestNets.DENSE_W, mask);
        mask.assign(1.0);
        INDArray m = p.maskIn(net);
        assertEquals(DataType.FLOAT, m.dataType());
        assertEquals(1.0, m.sumNumber().doubleValue(), 0.0, "the mask as given, not as changed after");
        m.assign(1.0);
        assertEquals(1.0, p.maskIn(net).sumNumber().doubleValue(), 0.0, "a new array each time");

        CoefficientParam wrong = CoefficientParam.withMask(TestNets.DENSE_W, Nd4j.ones(DataType.FLOAT, 5, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.maskIn(net));
        assertEquals("mask of layer0/W has shape [5, 6] but the parameter has shape [6, 5]", e.getMessage());
    }
}
