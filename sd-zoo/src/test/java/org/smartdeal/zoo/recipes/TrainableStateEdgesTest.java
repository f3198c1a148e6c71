package org.smartdeal.zoo.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.smartdeal.layers.FreezeUpdater;
import org.smartdeal.optim.BucketSwitch;

/**
 * {@link TrainableState#bytes(org.nd4j.linalg.learning.config.IUpdater, INDArray, INDArray)} for one parameter, by
 * hand from the class Javadoc's definition: a frozen parameter counts 0; any other n entries at width w count
 * (n + stateSize) w; C under a bucket switch counts 1 + w + 1 bytes an entry inside its mask (one more with the mask
 * flag in the state), a bitmap of ceil(n / 8) bytes and the epoch word of w bytes. Cases no earlier test checked,
 * written from the class Javadoc (a mutation-testing run meant to list them did not finish; docs/RESULTS.md 8); the
 * network tests sum many parameters at once.
 */
class TrainableStateEdgesTest {

    private static INDArray values(int n, DataType type) {
        return Nd4j.ones(type, n);
    }

    /** A 0/1 mask of n entries with the first {@code inside} set. */
    private static INDArray mask(int n, int inside) {
        INDArray m = Nd4j.zeros(DataType.FLOAT, n);
        for (int i = 0; i < inside; i++) {
            m.putScalar(i, 1);
        }
        return m;
    }

    @Test
    void otherParametersCountTheirValueAndTheirUpdatersState() {
        assertEquals(0, TrainableState.bytes(new FreezeUpdater(), values(10, DataType.FLOAT), null), "frozen: nothing");
        assertEquals(40, TrainableState.bytes(null, values(10, DataType.FLOAT), null), "no updater: the value, 10 x 4");
        assertEquals(40, TrainableState.bytes(new Sgd(0.1), values(10, DataType.FLOAT), null), "SGD keeps no state");
        assertEquals(80, TrainableState.bytes(new Nesterovs(0.1, 0.9), values(10, DataType.FLOAT), null),
                "value and momentum, (10 + 10) x 4");
        assertEquals(160, TrainableState.bytes(new Nesterovs(0.1, 0.9), values(10, DataType.DOUBLE), null),
                "(10 + 10) x 8 in double precision");
        assertEquals(80, TrainableState.bytes(new Nesterovs(0.1, 0.9), values(10, DataType.FLOAT), mask(10, 3)),
                "a mask only matters for a bucket switch");
    }

    /**
     * Without a mask, every entry counts: 10 x (1 + 4 + 1) + 4 = 64 bytes (74 with the mask flag, 7 bytes an entry);
     * with a mask holding 3 of 9 entries: 3 x 6 + ceil(9 / 8) = 2 + 4 = 24 bytes; 8 entries need a bitmap byte
     * fewer (3 x 6 + 1 + 4 = 23); in double precision the momentum and the epoch word are 8 bytes
     * (3 x 10 + 2 + 8 = 40).
     */
    @Test
    void coefficientsCountTheirStorageWidthInsideTheMaskPlusBitmapAndEpochWord() {
        BucketSwitch plain = BucketSwitch.builder(0.1).build();
        BucketSwitch flagged = BucketSwitch.builder(0.1).maskInState(true).build();
        assertEquals(64, TrainableState.bytes(plain, values(10, DataType.FLOAT), null));
        assertEquals(74, TrainableState.bytes(flagged, values(10, DataType.FLOAT), null));
        assertEquals(24, TrainableState.bytes(plain, values(9, DataType.FLOAT), mask(9, 3)));
        assertEquals(23, TrainableState.bytes(plain, values(8, DataType.FLOAT), mask(8, 3)));
        assertEquals(27, TrainableState.bytes(flagged, values(9, DataType.FLOAT), mask(9, 3)));
        assertEquals(40, TrainableState.bytes(plain, values(9, DataType.DOUBLE), mask(9, 3)));
        assertEquals("mask has 5 entries, the parameter 10", assertThrows(IllegalArgumentException.class,
                () -> TrainableState.bytes(plain, values(10, DataType.FLOAT), mask(5, 1))).getMessage());
    }
}
