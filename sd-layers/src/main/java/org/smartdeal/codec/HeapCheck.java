package org.smartdeal.codec;

import java.util.function.LongFunction;

/**
 * The check readers make before a large allocation: does it fit in the free heap? A reader that asks first
 * fails with its own message (naming the file, what it reads and the sizes) instead of an
 * {@link OutOfMemoryError}. The free heap is the most the heap may grow to ({@code -Xmx}) minus what is in
 * use now; when that is too small, the check collects garbage once and measures again before refusing.
 */
public final class HeapCheck {

    private HeapCheck() {
    }

    /** What to do when a check refuses, ending every refusal's message: one wording for the library and the CLI. */
    public static final String ADVICE = "raise the JVM's -Xmx (with the smartdeal command: SMARTDEAL_JAVA_OPTS=-Xmx16g)";

    /** The bytes the heap can still hold: {@link Runtime#maxMemory()} minus the bytes in use. */
    private static long freeBytes() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /**
     * Requires {@code bytes} to fit in the free heap.
     *
     * @param bytes   the bytes about to be allocated
     * @param failure builds the caller's exception, with its own message (the file, what needs the heap,
     *                {@code bytes}), from the free bytes
     * @param <E>     the caller's exception type
     * @throws E when {@code bytes} exceeds the free heap
     */
    public static <E extends Exception> void require(long bytes, LongFunction<E> failure) throws E {
        if (bytes <= freeBytes()) {
            return;
        }
        // garbage not yet collected counts as used: collect once before refusing, as an allocation would
        System.gc();
        long free = freeBytes();
        if (bytes > free) {
            throw failure.apply(free);
        }
    }
}
