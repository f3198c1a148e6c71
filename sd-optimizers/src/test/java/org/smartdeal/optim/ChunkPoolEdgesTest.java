package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link ChunkPool} at the edges mutation testing found untested: a pool of one thread, lengths that are exact
 * multiples of {@link ChunkPool#CHUNK} or not positive, the per-thread double scratch, and an Error thrown by a
 * chunk. Which thread runs a chunk is the pool's affair; these tests check only what the class Javadoc promises
 * whatever the schedule.
 */
class ChunkPoolEdgesTest {

    private static final int CHUNK = ChunkPool.CHUNK;

    /** The (start, len) of every kernel call of one run, sorted by start. */
    private static List<List<Integer>> calls(ChunkPool pool, int n) {
        List<List<Integer>> out = Collections.synchronizedList(new ArrayList<>());
        pool.run(n, (start, len, s) -> out.add(List.of(start, len)));
        List<List<Integer>> sorted = new ArrayList<>(out);
        sorted.sort((a, b) -> Integer.compare(a.get(0), b.get(0)));
        return sorted;
    }

    /** "an integer >= 1": 1 (the calling thread alone) is allowed, as a pool and as the property. */
    @Test
    void aPoolOfOneThreadIsAllowed() {
        assertEquals(1, new ChunkPool(1).threads());
        assertEquals(1, ChunkPool.threadsFromProperty("1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ChunkPool(0));
        assertEquals("ChunkPool threads must be >= 1, got 0", e.getMessage());
    }

    /**
     * Chunk k is [k*CHUNK, min((k+1)*CHUNK, n)): two full chunks for n = 2*CHUNK (no empty third one), one short
     * chunk for n = 1, one full chunk for n = CHUNK, and no call at all for n = 0 or -1; the same with one thread and
     * with three.
     */
    @Test
    void chunksEndExactlyAtTheLength() {
        for (ChunkPool pool : new ChunkPool[] {new ChunkPool(1), new ChunkPool(3)}) {
            assertEquals(List.of(List.of(0, CHUNK), List.of(CHUNK, CHUNK)), calls(pool, 2 * CHUNK));
            assertEquals(List.of(List.of(0, CHUNK), List.of(CHUNK, CHUNK), List.of(2 * CHUNK, 1)),
                    calls(pool, 2 * CHUNK + 1));
            assertEquals(List.of(List.of(0, CHUNK)), calls(pool, CHUNK));
            assertEquals(List.of(List.of(0, 1)), calls(pool, 1));
            assertEquals(List.of(), calls(pool, 0));
            assertEquals(List.of(), calls(pool, -1));
        }
    }

    /** The shared pool is made once, with the threads the property gives (available processors when unset). */
    @Test
    void theSharedPoolIsOnePoolSizedByTheProperty() {
        ChunkPool shared = ChunkPool.shared();
        assertSame(shared, ChunkPool.shared());
        assertEquals(ChunkPool.threadsFromProperty(System.getProperty(ChunkPool.THREADS_PROPERTY)), shared.threads());
    }

    /** A thread's scratch holds four chunks of each type, allocated once and then reused. */
    @Test
    void scratchArraysAreFourChunksKeptForTheThread() {
        ChunkPool.Scratch s = new ChunkPool.Scratch();
        double[][] d = s.doubles();
        assertEquals(4, d.length);
        for (double[] a : d) {
            assertEquals(CHUNK, a.length);
        }
        assertSame(d, s.doubles());
        float[][] f = s.floats();
        assertEquals(4, f.length);
        assertEquals(CHUNK, f[3].length);
        assertSame(f, s.floats());
    }

    /**
     * An Error thrown by a chunk reaches the caller as itself (not wrapped), that of the lowest-numbered failing
     * chunk, after every chunk ran: chunks 1 and 3 of 4 throw, chunk 1's Error is rethrown, all 4 ran.
     */
    @Test
    void anErrorOfTheLowestFailingChunkIsRethrownAsItself() {
        for (ChunkPool pool : new ChunkPool[] {new ChunkPool(1), new ChunkPool(3)}) {
            AssertionError first = new AssertionError("chunk 1");
            AssertionError second = new AssertionError("chunk 3");
            List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
            AssertionError e = assertThrows(AssertionError.class, () -> pool.run(4 * CHUNK, (start, len, s) -> {
                ran.add(start / CHUNK);
                if (start == CHUNK) {
                    throw first;
                }
                if (start == 3 * CHUNK) {
                    throw second;
                }
            }));
            assertSame(first, e);
            List<Integer> sorted = new ArrayList<>(ran);
            Collections.sort(sorted);
            assertEquals(List.of(0, 1, 2, 3), sorted);
        }
    }
}
