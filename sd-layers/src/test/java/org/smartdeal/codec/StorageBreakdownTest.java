package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class StorageBreakdownTest {

    @Test
    void paperCrByHand() {
        // Two layers: one SD layer of 900 weights costing index 900 + C 300 + table 100 + B 88 bits,
        // one layer of 100 weights left dense (3200 bits). Paper CR = 32*1000 / (1388 + 3200).
        StorageBreakdown sd = new StorageBreakdown(900, 300, 100, 88, 0, 200);
        StorageBreakdown total = sd.plus(StorageBreakdown.denseWeights(100)).plus(StorageBreakdown.other(32 * 10));
        assertEquals(1388 + 3200, total.paperBits());
        assertEquals(1388 + 3200 + 200 + 320, total.totalBits());
        assertEquals(32000.0 / 4588, StorageBreakdown.paperCR(1000, total), 1e-12);
        assertEquals(4.0 * 1010 / 700, StorageBreakdown.fileCR(1010, 700), 1e-12);
        assertEquals(1.5, sd.cBitsPerNonZero(200), 0);
    }

    @Test
    void paperCrOfARealEncoding() {
        // 8 slices of 16x3, B 3x3 per slice; the paper CR uses only index + C + table + B.
        Random rnd = new Random(4);
        double[] c = SdLayerCodecTest.randomC(rnd, 8, 16, 3, 0.5, 0.5, -5, 0);
        EncodedLayer enc = SdLayerCodec.encode(c, 8, 16, 3, SdLayerCodecTest.randomB(rnd, 8, 3));
        StorageBreakdown bd = enc.breakdown();
        assertEquals(bd.totalBits() - bd.otherBits(), bd.paperBits());
        assertEquals(32.0 * c.length / bd.paperBits(), StorageBreakdown.paperCR(c.length, bd), 1e-12);
        assertEquals(enc.bytes().length, bd.totalBytes());
    }

    @Test
    void validationNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StorageBreakdown(0, -1, 0, 0, 0, 0));
        assertEquals("StorageBreakdown.cBits must be >= 0, got -1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StorageBreakdown.paperCR(0, StorageBreakdown.other(8)));
        assertThrows(IllegalArgumentException.class, () -> StorageBreakdown.paperCR(10, StorageBreakdown.other(8)));
    }
}
