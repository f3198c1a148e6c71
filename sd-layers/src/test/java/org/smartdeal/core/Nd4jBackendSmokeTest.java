package org.smartdeal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Checks that the pinned ND4J CPU backend loads and multiplies correctly on this machine. */
class Nd4jBackendSmokeTest {

    @Test
    void nativeBackendMultipliesA2x2ByHand() {
        INDArray a = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}});
        INDArray b = Nd4j.createFromArray(new double[][] {{5, 6}, {7, 8}});
        // Hand calculation: [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]] = [[19, 22], [43, 50]].
        INDArray c = a.mmul(b);
        assertEquals(19.0, c.getDouble(0, 0));
        assertEquals(22.0, c.getDouble(0, 1));
        assertEquals(43.0, c.getDouble(1, 0));
        assertEquals(50.0, c.getDouble(1, 1));
    }
}
