package org.smartdeal.codec;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Measures the heap bytes the current thread allocates while running a piece of code, through
 * HotSpot's {@code com.sun.management.ThreadMXBean}. Tests that use it are skipped, with the
 * reason shown, on a JVM that does not count allocations per thread.
 */
final class Allocations {

    private Allocations() {
    }

    /** A thrown exception and the bytes allocated up to and including throwing it. */
    record Thrown<T extends Throwable>(T error, long bytes) {
    }

    /**
     * Runs {@code code}, which must throw {@code type}, and returns the exception and the bytes
     * the current thread allocated meanwhile.
     */
    static <T extends Throwable> Thrown<T> whileThrowing(Class<T> type, Executable code) {
        com.sun.management.ThreadMXBean mx = bean();
        long id = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(id);
        T error = assertThrows(type, code);
        long bytes = mx.getThreadAllocatedBytes(id) - before;
        return new Thrown<>(error, bytes);
    }

    private static com.sun.management.ThreadMXBean bean() {
        java.lang.management.ThreadMXBean b = ManagementFactory.getThreadMXBean();
        assumeTrue(b instanceof com.sun.management.ThreadMXBean x && x.isThreadAllocatedMemorySupported()
                && x.isThreadAllocatedMemoryEnabled(), "this JVM does not count allocated bytes per thread");
        return (com.sun.management.ThreadMXBean) b;
    }
}
