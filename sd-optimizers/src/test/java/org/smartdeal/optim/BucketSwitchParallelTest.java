package org.smartdeal.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The chunked, multi-threaded bucket switch (ALGORITHMS.md 6.2): bit for bit the same parameters,
 * momentum, counters and updates for 1, 2 and 4 threads, and bit for bit the same as a plain per-entry
 * reading of the rule, on random data spanning several chunks of {@link ChunkPool#CHUNK} entries
 * (plus a partial one).
 */
class BucketSwitchParallelTest {

    private static final int N = 5 * ChunkPool.CHUNK + 777;
    private static final ChunkPool ONE = new ChunkPool(1);
    private static final ChunkPool TWO = new ChunkPool(2);
    private static final ChunkPool FOUR = new ChunkPool(4);

    /** Updater + step + {@code param -= update}, as DL4J's UpdaterBlock runs them, on a given pool. */
    private static final class Run {
        final BucketSwitch config;
        final BucketSwitchUpdater updater;
        final BucketSwitchStep step;
        final INDArray param;
        final INDArray state;
        INDArray lastUpdate;

        Run(BucketSwitch config, INDArray c, INDArray maskedOut, ChunkPool pool) {
            this.config = config;
            this.param = c.dup();
            this.state = Nd4j.create(c.dataType(), config.stateSize(c.length()));
            this.updater = ((BucketSwitchUpdater) config.instantiate(state, true)).withPool(pool);
            if (maskedOut != null) {
                state.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1 + 2 * c.length(), 1 + 3 * c.length()))
                        .assign(maskedOut);
            }
            this.step = ((BucketSwitchStep) config.regularization().get(config.regularization().size() - 1))
                    .withPool(pool);
        }

        void step(INDArray g, int iteration, int epoch) {
            INDArray grad = g.dup();
            updater.applyUpdater(grad, iteration, epoch);
            step.apply(param, grad, config.getLearningRate(iteration, epoch), iteration, epoch);
            param.subi(grad);
            lastUpdate = grad;
        }
    }

    private static INDArray randomC(Random rnd, int n, DataType type) {
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = rnd.nextInt(3) == 0 ? 0 : (rnd.nextBoolean() ? 1 : -1) * Math.scalb(1.0, rnd.nextInt(10) - 7);
        }
        return Nd4j.createFromArray(c).castTo(type);
    }

    /** Gaussian gradients whose scale varies per entry (some never leave the dead zone), a quarter exactly 0. */
    private static INDArray randomGradient(Random rnd, int n, DataType type) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = rnd.nextInt(4) == 0 ? 0 : rnd.nextGaussian() * Math.scalb(1.0, -(i % 9));
        }
        return Nd4j.createFromArray(g).castTo(type);
    }

    private static void assertBitEqual(INDArray expected, INDArray actual, String what) {
        if (expected.dataType() == DataType.FLOAT) {
            float[] e = expected.toFloatVector();
            float[] a = actual.toFloatVector();
            for (int i = 0; i < e.length; i++) {
                if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                    fail(what + " differs at index " + i + ": " + e[i] + " vs " + a[i]);
                }
            }
        } else {
            double[] e = expected.toDoubleVector();
            double[] a = actual.toDoubleVector();
            for (int i = 0; i < e.length; i++) {
                if (Double.doubleToRawLongBits(e[i]) != Double.doubleToRawLongBits(a[i])) {
                    fail(what + " differs at index " + i + ": " + e[i] + " vs " + a[i]);
                }
            }
        }
    }

    /** Runs 1, 2 and 4 threads side by side for 30 iterations over 3 epochs and compares every array. */
    private static int assertThreadCountInvariant(BucketSwitch cfg, DataType type, boolean masked, long seed) {
        Random rnd = new Random(seed);
        INDArray c = randomC(rnd, N, type);
        INDArray maskedOut = null;
        if (masked) {
            double[] m = new double[N];
            for (int i = 0; i < N; i++) {
                m[i] = rnd.nextInt(4) == 0 ? 1 : 0;
            }
            maskedOut = Nd4j.createFromArray(m).castTo(type);
        }
        Run one = new Run(cfg, c, maskedOut, ONE);
        Run two = new Run(cfg, c, maskedOut, TWO);
        Run four = new Run(cfg, c, maskedOut, FOUR);
        int switches = 0;
        for (int it = 0; it < 30; it++) {
            INDArray g = randomGradient(rnd, N, type);
            one.step(g, it, it / 10);
            two.step(g, it, it / 10);
            four.step(g, it, it / 10);
            for (Run r : new Run[] {two, four}) {
                assertBitEqual(one.param, r.param, "C after iteration " + it);
                assertBitEqual(one.state, r.state, "updater state after iteration " + it);
                assertBitEqual(one.lastUpdate, r.lastUpdate, "update of iteration " + it);
            }
            switches += one.lastUpdate.neq(0).castTo(DataType.INT32).sumNumber().intValue();
        }
        return switches;
    }

    @Test
    void float32ResultsAreBitIdenticalForOneTwoAndFourThreads() {
        BucketSwitch cfg = BucketSwitch.builder(0.5).thetaC(2).maxCoeff(4).build();
        int switches = assertThreadCountInvariant(cfg, DataType.FLOAT, false, 1);
        assertTrue(switches > N, "the random data must switch many entries, got " + switches);
    }

    @Test
    void float32WithMaskInStateIsBitIdenticalForOneTwoAndFourThreads() {
        BucketSwitch cfg = BucketSwitch.builder(0.5).thetaC(2).maskInState(true).build();
        int switches = assertThreadCountInvariant(cfg, DataType.FLOAT, true, 2);
        assertTrue(switches > N, "the random data must switch many entries, got " + switches);
    }

    @Test
    void float32WithZeroDeadZoneIsBitIdenticalForOneTwoAndFourThreads() {
        BucketSwitch cfg = BucketSwitch.builder(0.5).thetaG(0).thetaC(3).build();
        int switches = assertThreadCountInvariant(cfg, DataType.FLOAT, false, 3);
        assertTrue(switches > N, "the random data must switch many entries, got " + switches);
    }

    @Test
    void float64ResultsAreBitIdenticalForOneTwoAndFourThreads() {
        BucketSwitch cfg = BucketSwitch.builder(0.5).thetaC(2).maskInState(true).build();
        int switches = assertThreadCountInvariant(cfg, DataType.DOUBLE, true, 4);
        assertTrue(switches > N, "the random data must switch many entries, got " + switches);
    }

    /**
     * A plain per-entry reading of ALGORITHMS.md 6.2 in float32 (branches, no tricks): v, counters and C
     * after each step, against which the branch-free vectorised kernel is checked bit for bit.
     */
    private static final class Reference {
        final float[] c;
        final float[] v;
        final float[] counter;
        final float[] maskedOut;
        final BucketSwitch cfg;
        int lastEpoch = -1;

        Reference(BucketSwitch cfg, float[] c, float[] maskedOut) {
            this.cfg = cfg;
            this.c = c.clone();
            this.v = new float[c.length];
            this.counter = new float[c.length];
            this.maskedOut = maskedOut;
        }

        void step(float[] g, int epoch) {
            if (epoch != lastEpoch) {
                java.util.Arrays.fill(counter, 0f);
                lastEpoch = epoch;
            }
            float mu = (float) cfg.getMomentum();
            float lr = (float) cfg.getLearningRate();
            float thetaG = (float) cfg.getThetaG();
            for (int i = 0; i < c.length; i++) {
                boolean in = maskedOut == null || maskedOut[i] == 0f;
                v[i] = mu * v[i] + (in ? g[i] : 0f);
                float d = -lr * v[i];
                if (in && Math.abs(d) > thetaG) {
                    counter[i] += d > 0 ? 1 : -1;
                }
                if (Math.abs(counter[i]) >= cfg.getThetaC()) {
                    float s = Math.signum(counter[i]);
                    counter[i] = 0f;
                    c[i] = (float) BucketSwitchStep.next(c[i], s, cfg.getMinCoeff(), cfg.getMaxCoeff());
                }
            }
        }
    }

    private static void assertMatchesReference(BucketSwitch cfg, boolean masked, double gradScale, long seed) {
        Random rnd = new Random(seed);
        float[] c = randomC(rnd, N, DataType.FLOAT).toFloatVector();
        float[] maskedOut = null;
        if (masked) {
            maskedOut = new float[N];
            for (int i = 0; i < N; i++) {
                maskedOut[i] = rnd.nextInt(4) == 0 ? 1f : 0f;
            }
        }
        Reference ref = new Reference(cfg, c, maskedOut);
        Run run = new Run(cfg, Nd4j.createFromArray(c), masked ? Nd4j.createFromArray(maskedOut) : null, FOUR);
        float thetaG = (float) cfg.getThetaG();
        for (int it = 0; it < 20; it++) {
            float[] g = new float[N];
            for (int i = 0; i < N; i++) {
                switch (i % 5) {
                    case 0: // exactly on the dead-zone edge (lr = 1, mu = 0 below: d = -g), or just outside
                        g[i] = (rnd.nextBoolean() ? 1 : -1) * (rnd.nextBoolean() ? thetaG : Math.nextUp(thetaG));
                        break;
                    case 1: // subnormal and zero gradients
                        g[i] = rnd.nextBoolean() ? (rnd.nextBoolean() ? Float.MIN_VALUE : -Float.MIN_VALUE) : 0f;
                        break;
                    default:
                        g[i] = (float) (rnd.nextGaussian() * gradScale);
                }
            }
            ref.step(g, it / 7);
            run.step(Nd4j.createFromArray(g), it, it / 7);
            float[] state = run.state.toFloatVector();
            float[] p = run.param.toFloatVector();
            for (int i = 0; i < N; i++) {
                if (Float.floatToRawIntBits(ref.v[i]) != Float.floatToRawIntBits(state[1 + i])
                        || ref.counter[i] != state[1 + N + i]
                        || Float.floatToRawIntBits(ref.c[i]) != Float.floatToRawIntBits(p[i])) {
                    fail("at index " + i + " after iteration " + it + ": v " + ref.v[i] + " vs " + state[1 + i]
                            + ", counter " + ref.counter[i] + " vs " + state[1 + N + i] + ", C " + ref.c[i] + " vs "
                            + p[i]);
                }
            }
        }
    }

    @Test
    void vectorisedKernelMatchesThePerEntryRule() {
        assertMatchesReference(BucketSwitch.builder(1.0).momentum(0).weightDecay(0).thetaC(2).build(), false, 1e-2,
                5);
        assertMatchesReference(BucketSwitch.builder(1.0).momentum(0.9).weightDecay(0).thetaC(3).build(), false,
                1e-2, 6);
    }

    @Test
    void vectorisedKernelMatchesThePerEntryRuleWithMaskAndWithZeroDeadZone() {
        assertMatchesReference(BucketSwitch.builder(1.0).momentum(0).weightDecay(0).thetaC(2).maskInState(true)
                .build(), true, 1e-2, 7);
        assertMatchesReference(BucketSwitch.builder(1.0).momentum(0.5).weightDecay(0).thetaG(0).thetaC(2).build(),
                false, 1e-3, 8);
    }

    /**
     * The step's branch-free float32 kernel against the float32 form of the rule ({@code C - next(C, s)},
     * update s where s = 0) on directions in {-1, 0, +1} and C drawn from zeros of both signs, buckets at
     * and beyond minCoeff/maxCoeff, arbitrary normal floats, and values outside the kernel's domain
     * (tiny, huge, infinite, NaN), which must fall back to the per-entry loop with the same result.
     */
    @Test
    void stepMatchesTheRuleBitForBitOnEveryKindOfValue() {
        Random rnd = new Random(9);
        float minC = 0x1p-7f;
        float maxC = 32f;
        float[] special = {0f, -0f, minC, -minC, maxC, -maxC, 2 * maxC, 0x1p-100f, -0x1p100f, 0x1p-101f, 0x1p101f,
            Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NaN};
        for (int trial = 0; trial < 6; trial++) {
            float[] c = new float[N];
            float[] u = new float[N];
            for (int i = 0; i < N; i++) {
                int kind = rnd.nextInt(10);
                if (kind < 5) {
                    c[i] = (rnd.nextBoolean() ? 1 : -1) * Math.scalb(1f, rnd.nextInt(12) - 8);
                } else if (kind < 8) {
                    c[i] = (rnd.nextBoolean() ? 1 : -1) * Math.scalb(1f + rnd.nextFloat(), rnd.nextInt(200) - 100);
                } else if (kind == 8 || trial < 3) {
                    c[i] = rnd.nextBoolean() ? 0f : -0f;
                } else {
                    // trials 3..5 put out-of-domain values into some chunks only
                    c[i] = i / ChunkPool.CHUNK % 2 == 0 ? special[rnd.nextInt(special.length)] : 0f;
                }
                u[i] = rnd.nextInt(3) - 1;
            }
            float[] expected = new float[N];
            for (int i = 0; i < N; i++) {
                expected[i] = u[i] == 0f ? u[i] : c[i] - (float) BucketSwitchStep.next(c[i], u[i], minC, maxC);
            }
            INDArray update = Nd4j.createFromArray(u);
            new BucketSwitchStep(minC, maxC).withPool(TWO).apply(Nd4j.createFromArray(c), update, 1, 0, 0);
            float[] actual = update.toFloatVector();
            for (int i = 0; i < N; i++) {
                if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                    fail("trial " + trial + " index " + i + ": C " + c[i] + " s " + u[i] + " expected update "
                            + expected[i] + " got " + actual[i]);
                }
            }
        }
    }

    @Test
    void routingErrorReportsTheLowestIndexAndStillProcessesEveryOtherChunk() {
        int n = 4 * ChunkPool.CHUNK;
        float[] c = new float[n];
        float[] u = new float[n];
        java.util.Arrays.fill(c, 0.5f);
        java.util.Arrays.fill(u, 1f);
        int bad1 = ChunkPool.CHUNK + 5;
        int bad2 = 3 * ChunkPool.CHUNK + 9;
        u[bad1] = 0.3f;
        u[bad2] = 2f;
        for (ChunkPool pool : new ChunkPool[] {ONE, FOUR}) {
            INDArray update = Nd4j.createFromArray(u);
            BucketSwitchStep step = new BucketSwitchStep(0x1p-7, 32).withPool(pool);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> step.apply(Nd4j.createFromArray(c), update, 1, 0, 0));
            assertTrue(e.getMessage().contains("index " + bad1), e.getMessage());
            // chunks 0 and 2 were processed (0.5 -> 1: update -0.5); the failing chunks 1 and 3 were not
            assertEquals(-0.5f, update.getFloat(0));
            assertEquals(-0.5f, update.getFloat(2 * ChunkPool.CHUNK));
            assertEquals(1f, update.getFloat(ChunkPool.CHUNK));
            assertEquals(1f, update.getFloat(3 * ChunkPool.CHUNK));
        }
    }

    @Test
    void aNaNDirectionIsDivergenceNotARoutingError() {
        float[] u = new float[8];
        u[5] = Float.NaN;                                  // a NaN gradient's sign, as the updater passes it on
        BucketSwitchStep step = new BucketSwitchStep(0x1p-7, 32);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> step.apply(Nd4j.ones(8), Nd4j.createFromArray(u), 1, 0, 0));
        assertTrue(e.getMessage().contains("a NaN gradient reached the bucket switch (C entry 5"), e.getMessage());
        assertEquals(TrainingDivergedException.Phase.TRAINING, e.phase());
    }

    @Test
    void theEpochLoopPutsTheEpochAndParameterFirst() {
        float[] u = new float[8];
        u[5] = Float.NaN;
        BucketSwitchStep step = new BucketSwitchStep(0x1p-7, 32);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> step.apply(Nd4j.ones(8), Nd4j.createFromArray(u), 1, 0, 0));
        TrainingDivergedException in = e.inEpoch(2, 3, "layer fc1, parameter C");
        assertEquals("training epoch 2 of 3 diverged in layer fc1, parameter C: a NaN gradient reached the bucket "
                + "switch (C entry 5 of the parameter's block); lower the learning rate", in.getMessage());
        assertEquals(TrainingDivergedException.Phase.TRAINING, in.phase());
        assertSame(e, in.getCause());
        String unknown = e.inEpoch(1, 1, null).getMessage();
        assertTrue(unknown.startsWith("training epoch 1 of 1 diverged: a NaN gradient reached"), unknown);
    }

    @Test
    void poolRunsEveryChunkExactlyOnce() {
        int n = 7 * ChunkPool.CHUNK + 1;
        int[] visits = new int[n];
        AtomicInteger calls = new AtomicInteger();
        FOUR.run(n, (start, len, scratch) -> {
            calls.incrementAndGet();
            assertEquals(ChunkPool.CHUNK, scratch.floats()[0].length);
            for (int i = start; i < start + len; i++) {
                visits[i]++;
            }
        });
        assertEquals(8, calls.get());
        int[] once = new int[n];
        java.util.Arrays.fill(once, 1);
        assertArrayEquals(once, visits);
    }

    @Test
    void threadCountPropertyIsValidated() {
        assertEquals(Runtime.getRuntime().availableProcessors(), ChunkPool.threadsFromProperty(null));
        assertEquals(3, ChunkPool.threadsFromProperty(" 3 "));
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> ChunkPool.threadsFromProperty("0"));
        assertTrue(zero.getMessage().contains(ChunkPool.THREADS_PROPERTY) && zero.getMessage().contains("0"));
        assertThrows(IllegalArgumentException.class, () -> ChunkPool.threadsFromProperty("many"));
        assertThrows(IllegalArgumentException.class, () -> new ChunkPool(0));
    }
}
