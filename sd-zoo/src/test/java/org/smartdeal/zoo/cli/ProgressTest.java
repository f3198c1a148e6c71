package org.smartdeal.zoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.junit.jupiter.api.Test;

/**
 * The decision whether to draw the progress bar, with the stderr link target injected (the
 * test's own terminal does not matter). Link targets as Linux shows them in
 * {@code ls -l /proc/self/fd/2}.
 */
class ProgressTest {

    private static final Path PTS = Path.of("/dev/pts/3");

    @Test
    void terminalDevicesAreTerminals() {
        assertTrue(Progress.isTerminalDevice(PTS));
        assertTrue(Progress.isTerminalDevice(Path.of("/dev/tty")));
        assertTrue(Progress.isTerminalDevice(Path.of("/dev/tty1")));
        assertTrue(Progress.isTerminalDevice(Path.of("/dev/ttyS0")));
    }

    @Test
    void filesPipesSocketsAndNullAreNotTerminals() {
        assertFalse(Progress.isTerminalDevice(Path.of("/tmp/err.txt")));
        assertFalse(Progress.isTerminalDevice(Path.of("pipe:[4711]")));
        assertFalse(Progress.isTerminalDevice(Path.of("socket:[4712]")));
        assertFalse(Progress.isTerminalDevice(Path.of("/dev/null")));
        assertFalse(Progress.isTerminalDevice(Path.of("/home/u/dev/pts/out.log")));
    }

    @Test
    void stderrOnTerminalShowsBarWhateverTheConsoleSays() {
        // "smartdeal decompose ... > out.txt": stdout redirected, so System.console() is null, stderr a pty
        assertTrue(Progress.shows(false, PTS, () -> false));
    }

    @Test
    void stderrToFileHidesBarEvenWithAConsole() {
        // "2> err.txt" under a pseudo-terminal: stdin/stdout are terminals, stderr is not
        assertFalse(Progress.shows(false, Path.of("/tmp/err.txt"), () -> true));
        assertFalse(Progress.shows(false, Path.of("pipe:[4711]"), () -> true));
    }

    @Test
    void quietHidesBarOnATerminal() {
        assertFalse(Progress.shows(true, PTS, () -> true));
        assertFalse(Progress.shows(true, null, () -> true));
    }

    /** Convert's decomposition learns its step count from the converter's first call: the bar takes it. */
    @Test
    void stepToSetsTheTotalAndTheSteps() {
        ProgressBar bar = new ProgressBarBuilder().setInitialMax(60)
                .setConsumer(new DelegatingProgressBarConsumer(line -> { })).build();
        try (Progress p = new Progress(bar)) {
            p.stepTo(0, 41);
            assertEquals(41, bar.getMax());
            assertEquals(0, bar.getCurrent());
            p.stepTo(12, 41);
            assertEquals(12, bar.getCurrent());
        }
    }

    @Test
    void withoutProcFallsBackToConsole() {
        assertTrue(Progress.shows(false, null, () -> true));
        assertFalse(Progress.shows(false, null, () -> false));
    }

    @Test
    void consoleIsNotAskedWhenTheLinkIsKnown() {
        AtomicBoolean asked = new AtomicBoolean();
        Progress.shows(false, PTS, () -> {
            asked.set(true);
            return true;
        });
        assertFalse(asked.get());
    }
}
