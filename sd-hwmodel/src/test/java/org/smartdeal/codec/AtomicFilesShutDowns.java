package org.smartdeal.codec;

/**
 * For tests of this module that stop writes as the JVM's shutdown does ({@link AtomicFiles#shutDown}) and then go on
 * in the same JVM: in {@link AtomicFiles}' package (of sd-layers; the test class path joins them) to reach its
 * test-only resume, which the public API leaves out.
 */
public final class AtomicFilesShutDowns {

    private AtomicFilesShutDowns() {
    }

    /** Forgets a {@link AtomicFiles#shutDown}: writes are allowed again. */
    public static void resume() {
        AtomicFiles.resumeAfterShutDownForTest();
    }
}
