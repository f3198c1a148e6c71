package org.smartdeal.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;

/** FreezeUpdater: always-zero update, no state, JSON round trip. */
class FreezeUpdaterTest {

    @Test
    void updateIsAlwaysExactlyZero() {
        FreezeUpdater u = new FreezeUpdater();
        assertEquals(0, u.stateSize(100));
        INDArray g = Nd4j.rand(DataType.FLOAT, 5, 4).addi(1);
        u.instantiate((INDArray) null, true).applyUpdater(g, 3, 1);
        assertEquals(0.0, g.amaxNumber().doubleValue());
        assertFalse(u.hasLearningRate());
        assertThrows(UnsupportedOperationException.class, () -> u.setLrAndSchedule(0.1, null));
    }

    @Test
    void roundTripsThroughDl4jJson() throws Exception {
        ObjectMapper mapper = NeuralNetConfiguration.mapper();
        String json = mapper.writeValueAsString(new FreezeUpdater());
        assertEquals(new FreezeUpdater(), mapper.readValue(json, IUpdater.class));
    }
}
