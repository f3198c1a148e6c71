package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The heap check the readers share: the caller's exception, with the free bytes, only when it does not fit. */
class HeapCheckTest {

    @Test
    void anAllocationThatFitsPasses() throws IOException {
        HeapCheck.require(0, free -> new IOException("0 bytes always fit, free " + free));
        HeapCheck.require(1024, free -> new IOException("1 KiB fits in any test JVM, free " + free));
    }

    @Test
    void anAllocationLargerThanTheHeapThrowsTheCallersExceptionWithTheFreeBytes() {
        long max = Runtime.getRuntime().maxMemory();
        SdmFormatException e = assertThrows(SdmFormatException.class, () -> HeapCheck.require(max + 1,
                free -> new SdmFormatException("needs " + (max + 1) + ", free " + free)));
        long free = Long.parseLong(e.getMessage().substring(e.getMessage().lastIndexOf(' ') + 1));
        assertTrue(free >= 0 && free <= max, "free " + free + " within [0, maxMemory " + max + "]");
        assertEquals("needs " + (max + 1) + ", free " + free, e.getMessage());
    }
}
