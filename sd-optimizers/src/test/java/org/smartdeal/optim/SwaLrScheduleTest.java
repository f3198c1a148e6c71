package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
    void boundariesOfTheThreePiecesWithASwaStartThatIsNotAMultipleOfTen() {
        // lr 0.2, swaLr 0.02 (ratio 0.1), swaStart 7: t = e/7. Hand values of ALGORITHMS.md 6.3:
        SwaLrSchedule seven = new SwaLrSchedule(0.2, 0.02, 7);
        assertEquals(0.2, seven.valueAt(0, 3), 0.0, "t = 3/7 = 0.43 <= 0.5: factor 1");
        // t = 4/7: factor = 1 - 0.9 * (4/7 - 0.5)/0.4 = 1 - 0.9 * (1/14)/0.4 = 1 - 0.9/5.6 = 0.8392857...
        assertEquals(0.2 * (1 - 0.9 / 5.6), seven.valueAt(0, 4), 1e-15, "t = 4/7 = 0.571: linear piece");
        // t = 6/7: factor = 1 - 0.9 * (6/7 - 0.5)/0.4 = 1 - 0.9 * (5/14)/0.4 = 1 - 4.5/5.6 = 0.1964285...
        assertEquals(0.2 * (1 - 4.5 / 5.6), seven.valueAt(0, 6), 1e-15, "t = 6/7 = 0.857 < 0.9: still linear");
        assertEquals(0.02, seven.valueAt(0, 7), 1e-15, "t = 1 (the SWA start epoch) > 0.9: swaLr");
        assertEquals(0.02, seven.valueAt(0, 100), 1e-15, "constant after t = 0.9");
        // swaStart 1: t = epoch, so epoch 0 is flat and epoch 1 is already past 0.9
        SwaLrSchedule one = new SwaLrSchedule(0.2, 0.02, 1);
        assertEquals(0.2, one.valueAt(0, 0), 0.0, "swaStart 1, epoch 0: t = 0");
        assertEquals(0.02, one.valueAt(0, 1), 1e-15, "swaStart 1, epoch 1: t = 1");
        // swaStart 2: epoch 1 is t = 0.5 exactly, the last epoch of the flat piece
        assertEquals(0.2, new SwaLrSchedule(0.2, 0.02, 2).valueAt(0, 1), 0.0, "t = 1/2 = 0.5: factor 1");
        // a swaLr above lr makes the linear piece rise: lr 0.1, swaLr 0.5 (ratio 5), t = 0.7: 1 + 4 * 0.5 = 3
        assertEquals(0.3, new SwaLrSchedule(0.1, 0.5, 10).valueAt(0, 7), 1e-15, "ratio 5, t = 0.7: factor 3");
    }

    @Test
    void gettersEqualsHashCodeAndToStringCoverEveryField() {
        assertEquals(0.1, s.getLr(), 0.0, "lr");
        assertEquals(0.005, s.getSwaLr(), 0.0, "swaLr");
        assertEquals(40, s.getSwaStart(), "swaStart");
        assertEquals("SwaLrSchedule(lr=0.1, swaLr=0.005, swaStart=40)", s.toString(), "toString names the fields");
        assertEquals(s, s.clone(), "a clone is equal");
        assertEquals(s.hashCode(), new SwaLrSchedule(0.1, 0.005, 40).hashCode(), "equal schedules hash alike");
        assertNotEquals(s, new SwaLrSchedule(0.2, 0.005, 40), "lr differs");
        assertNotEquals(s, new SwaLrSchedule(0.1, 0.006, 40), "swaLr differs");
        assertNotEquals(s, new SwaLrSchedule(0.1, 0.005, 41), "swaStart differs");
        assertNotEquals(s, (Object) "SwaLrSchedule", "another type");
    }

    @Test
    void validationAcceptsTheSmallestValuesAndNamesFieldRuleAndValue() {
        assertEquals(1, new SwaLrSchedule(0.1, 0.01, 1).getSwaStart(), "swaStart = 1 is the minimum");
        assertEquals(Double.MIN_VALUE, new SwaLrSchedule(Double.MIN_VALUE, 0.01, 1).getLr(), 0.0, "lr > 0");
        assertEquals(Double.MIN_VALUE, new SwaLrSchedule(0.1, Double.MIN_VALUE, 1).getSwaLr(), 0.0, "swaLr > 0");
        IllegalArgumentException lr = assertThrows(IllegalArgumentException.class, () -> new SwaLrSchedule(0, 0.01, 1));
        assertEquals("SwaLrSchedule.lr must be finite and > 0, got 0.0", lr.getMessage(), "lr = 0 refused");
        IllegalArgumentException lrInf = assertThrows(IllegalArgumentException.class,
                () -> new SwaLrSchedule(Double.POSITIVE_INFINITY, 0.01, 1));
        assertTrue(lrInf.getMessage().contains("Infinity"), lrInf.getMessage());
        IllegalArgumentException swaLr = assertThrows(IllegalArgumentException.class,
                () -> new SwaLrSchedule(0.1, 0, 1));
        assertEquals("SwaLrSchedule.swaLr must be finite and > 0, got 0.0", swaLr.getMessage(), "swaLr = 0 refused");
        IllegalArgumentException swaLrInf = assertThrows(IllegalArgumentException.class,
                () -> new SwaLrSchedule(0.1, Double.POSITIVE_INFINITY, 1));
        assertTrue(swaLrInf.getMessage().contains("swaLr") && swaLrInf.getMessage().contains("Infinity"));
        IllegalArgumentException start = assertThrows(IllegalArgumentException.class,
                () -> new SwaLrSchedule(0.1, 0.01, 0));
        assertEquals("SwaLrSchedule.swaStart must be >= 1, got 0", start.getMessage(), "swaStart = 0 refused");
    }

    @Test
    void rejectsInvalidSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SwaLrSchedule(0.1, 0.01, 0));
        assertTrue(e.getMessage().contains("swaStart") && e.getMessage().contains("0"));
        assertThrows(IllegalArgumentException.class, () -> new SwaLrSchedule(0, 0.01, 10));
        assertThrows(IllegalArgumentException.class, () -> new SwaLrSchedule(0.1, Double.NaN, 10));
    }
}
