package org.smartdeal.optim;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of daemon threads that runs a {@link Kernel} over the chunks of an index range
 * {@code [0, n)}, for the bucket-switch kernels ({@link BucketSwitchUpdater}, {@link BucketSwitchStep}).
 *
 * <p><b>Chunks.</b> The range is cut at multiples of {@link #CHUNK}; chunk {@code k} is
 * {@code [k*CHUNK, min((k+1)*CHUNK, n))} whatever the thread count. Threads claim chunk numbers from
 * one atomic counter, so which thread runs a chunk varies, but a kernel whose result for an index
 * depends only on the inputs at that index (true of both bucket-switch kernels) gives bit-identical
 * results for any thread count and any schedule.
 *
 * <p><b>Threads.</b> {@link #shared()} has {@code threads - 1} workers; the calling thread is the
 * last one and runs chunks too. {@code threads} is the system property {@value #THREADS_PROPERTY}
 * (an integer >= 1, read once when the shared pool is first used), default
 * {@code Runtime.availableProcessors()}; 1 runs everything on the calling thread.
 *
 * <p><b>Allocation and concurrency.</b> A run allocates nothing: the job is published through one
 * atomic ticket (number of chunks, next unclaimed chunk), workers spin briefly and then park between
 * runs, and every thread owns its scratch arrays. The pool serves one run at a time; a caller that
 * finds it busy, or a run of fewer than two chunks, runs on the calling thread alone (same results).
 *
 * <p><b>Errors.</b> Every chunk is run even when one throws; the exception of the lowest-numbered
 * failing chunk is rethrown to the caller after all chunks have finished, so the final state and the
 * reported error do not depend on the thread count either.
 */
final class ChunkPool {

    /** Chunk length in entries: four float32 scratch chunks (128 KiB) stay in a core's L2 cache. */
    static final int CHUNK = 8192;

    /** System property with the total thread count of {@link #shared()} (workers + caller). */
    static final String THREADS_PROPERTY = BucketSwitchUpdater.THREADS_PROPERTY;

    /** Spins before a waiting thread parks (a few tens of microseconds). */
    private static final int SPINS = 1 << 12;

    /** Bits of the ticket holding the next unclaimed chunk; the bits above hold the chunk count. */
    private static final int NEXT_BITS = 32;
    private static final long NEXT_MASK = (1L << NEXT_BITS) - 1;

    /** Work on one chunk. */
    interface Kernel {
        /**
         * Processes indices {@code [start, start + len)}.
         *
         * @param scratch the running thread's own scratch arrays, each at least {@link #CHUNK} long
         */
        void run(int start, int len, Scratch scratch);
    }

    /** Per-thread scratch chunks, allocated on first use and then reused for the thread's lifetime. */
    static final class Scratch {
        private float[][] floats;
        private double[][] doubles;

        /** Four float chunks of {@link #CHUNK} entries. */
        float[][] floats() {
            if (floats == null) {
                floats = new float[4][CHUNK];
            }
            return floats;
        }

        /** Four double chunks of {@link #CHUNK} entries. */
        double[][] doubles() {
            if (doubles == null) {
                doubles = new double[4][CHUNK];
            }
            return doubles;
        }
    }

    private static final ThreadLocal<Scratch> CALLER_SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static volatile ChunkPool shared;

    private final int threads;
    private final Thread[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** (chunk count << 32) | next unclaimed chunk; next == count when idle. */
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    /* Job fields, written by the caller before the ticket is published, read by a thread after it has
     * claimed a chunk of that job (the claim's CAS orders the reads after the writes); they are not
     * rewritten before every claimed chunk has been counted in 'done'. */
    private Kernel kernel;
    private int length;
    private Thread caller;
    private final Object errorLock = new Object();
    private Throwable error;
    private int errorChunk;

    /**
     * A pool of {@code threads - 1} workers (started on first use).
     *
     * @param threads total threads of a run including the caller, >= 1
     */
    ChunkPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("ChunkPool threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
    }

    /** The pool sized by {@value #THREADS_PROPERTY} (default: available processors). */
    static ChunkPool shared() {
        ChunkPool p = shared;
        if (p == null) {
            synchronized (ChunkPool.class) {
                p = shared;
                if (p == null) {
                    p = new ChunkPool(threadsFromProperty(System.getProperty(THREADS_PROPERTY)));
                    shared = p;
                }
            }
        }
        return p;
    }

    /** Parses the property value; null or blank means available processors. */
    static int threadsFromProperty(String value) {
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        int t;
        try {
            t = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + " must be an integer >= 1, got '" + value + "'", e);
        }
        if (t < 1) {
            throw new IllegalArgumentException(THREADS_PROPERTY + " must be an integer >= 1, got " + t);
        }
        return t;
    }

    /** Total threads of a run, including the caller. */
    int threads() {
        return threads;
    }

    /**
     * Runs {@code k} on every chunk of {@code [0, n)} and returns when all have finished.
     *
     * @throws RuntimeException or Error: that of the lowest-numbered failing chunk
     */
    void run(int n, Kernel k) {
        if (n <= 0) {
            return;
        }
        int chunks = (int) ((n + (long) CHUNK - 1) / CHUNK);
        if (threads == 1 || chunks < 2 || !busy.compareAndSet(false, true)) {
            runInline(n, chunks, k);
            return;
        }
        try {
            runParallel(n, chunks, k);
        } finally {
            busy.set(false);
        }
    }

    private void runInline(int n, int chunks, Kernel k) {
        Scratch s = CALLER_SCRATCH.get();
        Throwable first = null;
        for (int c = 0; c < chunks; c++) {
            int start = c * CHUNK;
            try {
                k.run(start, Math.min(CHUNK, n - start), s);
            } catch (Throwable t) {
                if (first == null) {
                    first = t;
                }
            }
        }
        rethrow(first);
    }

    private void runParallel(int n, int chunks, Kernel k) {
        startWorkers();
        kernel = k;
        length = n;
        caller = Thread.currentThread();
        error = null;
        errorChunk = Integer.MAX_VALUE;
        done.set(0);
        ticket.set((long) chunks << NEXT_BITS); // publishes the fields above
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        Scratch s = CALLER_SCRATCH.get();
        while (claimAndRun(s)) {
            // the caller works as one of the threads
        }
        for (int spin = 0; done.get() < chunks; spin++) {
            if (spin < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 1_000_000L); // woken by the thread finishing the last chunk
            }
        }
        Throwable t;
        synchronized (errorLock) {
            t = error;
            error = null;
        }
        kernel = null;
        rethrow(t);
    }

    /** Claims one chunk of the current job and runs it; false when none is left. */
    private boolean claimAndRun(Scratch s) {
        long t;
        int chunks;
        int c;
        do {
            t = ticket.get();
            chunks = (int) (t >>> NEXT_BITS);
            c = (int) (t & NEXT_MASK);
            if (c >= chunks) {
                return false;
            }
        } while (!ticket.compareAndSet(t, t + 1));
        int n = length;
        Kernel k = kernel;
        Thread waiting = caller;
        int start = c * CHUNK;
        try {
            k.run(start, Math.min(CHUNK, n - start), s);
        } catch (Throwable e) {
            synchronized (errorLock) {
                if (c < errorChunk) {
                    errorChunk = c;
                    error = e;
                }
            }
        }
        if (done.incrementAndGet() == chunks && waiting != Thread.currentThread()) {
            LockSupport.unpark(waiting);
        }
        return true;
    }

    private boolean hasWork() {
        long t = ticket.get();
        return (t & NEXT_MASK) < (t >>> NEXT_BITS);
    }

    private void startWorkers() {
        if (workers.length == 0 || workers[0] != null) {
            return;
        }
        synchronized (this) {
            if (workers[0] != null) {
                return;
            }
            for (int i = 0; i < workers.length; i++) {
                Thread w = new Thread(this::workerLoop, "smartdeal-bucket-switch-" + (i + 1));
                w.setDaemon(true);
                workers[i] = w;
            }
            for (Thread w : workers) {
                w.start();
            }
        }
    }

    private void workerLoop() {
        Scratch s = new Scratch();
        int idle = 0;
        while (true) {
            if (claimAndRun(s)) {
                idle = 0;
            } else if (hasWork()) {
                idle = 0; // lost a race for a chunk; try again
            } else if (idle < SPINS) {
                idle++;
                Thread.onSpinWait();
            } else {
                LockSupport.park(this); // unparked by the next run
                idle = 0;
            }
        }
    }

    private static void rethrow(Throwable t) {
        if (t == null) {
            return;
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        throw new IllegalStateException("bucket-switch kernel failed", t);
    }
}
