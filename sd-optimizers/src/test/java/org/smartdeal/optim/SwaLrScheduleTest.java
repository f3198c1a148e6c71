package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;

/** ALGORITHMS.md 6.3 with lr 0.1, swaLr 0.005 (ratio 0.05), swaStart 40: hand-computed points. */
class SwaLrScheduleTest {

    private final SwaLrSchedule s = new SwaLrSchedule(0.1, 0.005, 40);

    @Test
    void flatUpToHalfOfSwaStart() {
        assertEquals(0.1, s.valueAt(0, 0), 1e-15);   // t = 0
        assertEquals(0.1, s.valueAt(0, 20), 1e-15);  // t = 0.5 (inclusive)
    }

    @Test
    void linearBetweenHalfAndNineTenths() {
        // t = 0.6: factor = 1 - 0.95 * 0.1/0.4 = 0.7625
        assertEquals(0.07625, s.valueAt(0, 24), 1e-15);
        // t = 0.7: factor = 1 - 0.95 * 0.5 = 0.525
        assertEquals(0.0525, s.valueAt(0, 28), 1e-15);
        // t = 0.9: factor = 1 - 0.95 = 0.05 -> swaLr
        assertEquals(0.005, s.valueAt(0, 36), 1e-15);
    }

    @Test
    void constantSwaLrAfterNineTenthsAndIndependentOfIteration() {
        assertEquals(0.005, s.valueAt(0, 37), 1e-15);
        assertEquals(0.005, s.valueAt(12345, 80), 1e-15);
        assertEquals(s.valueAt(0, 28), s.valueAt(999, 28));
    }

    @Test
    void survivesJsonAsAnISchedule() throws Exception {
        ObjectMapper mapper = NeuralNetConfiguration.mapper();
        String json = mapper.writeValueAsString(s);
        assertTrue(json.contains("swaStart"), json);
        assertEquals(s, mapper.readValue(json, ISchedule.class));
    }

    @Test
    void rejectsInvalidSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SwaLrSchedule(0.1, 0.01, 0));
        assertTrue(e.getMessage().contains("swaStart") && e.getMessage().contains("0"));
        assertThrows(IllegalArgumentException.class, () -> new SwaLrSchedule(0, 0.01, 10));
        assertThrows(IllegalArgumentException.class, () -> new SwaLrSchedule(0.1, Double.NaN, 10));
    }
}
