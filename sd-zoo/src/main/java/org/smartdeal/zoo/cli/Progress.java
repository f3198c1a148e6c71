package org.smartdeal.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr for long work. It is shown only when stderr itself is a terminal and
 * the user did not ask for {@code --quiet}; so {@code smartdeal decompose ... > out.txt} on a
 * terminal still shows it, and {@code 2> file} or {@code 2>&1 | tee} (as in CI) never writes it
 * into the file or pipe.
 *
 * <p>On Linux "stderr is a terminal" is read from the link {@code /proc/self/fd/2}: a terminal
 * device ({@code /dev/pts/*}, {@code /dev/tty*}) is a terminal, anything else (a file, a
 * {@code pipe:[..]}, a {@code socket:[..]}, {@code /dev/null}) is not. Where {@code /proc} is not
 * available it falls back to {@code System.console() != null}, which is only true when stdin and
 * stdout are terminals too.
 */
public final class Progress implements AutoCloseable {

    /** The link whose target names the file behind stderr (Linux procfs). */
    private static final Path STDERR_LINK = Path.of("/proc/self/fd/2");

    private final ProgressBar bar;

    /** @param bar the bar drawn, or null to draw nothing (tests give their own bar) */
    Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * Starts a bar.
     *
     * @param task label shown before the bar
     * @param total number of steps
     * @param quiet true to show nothing
     * @return the bar; close it when done
     */
    public static Progress start(String task, long total, boolean quiet) {
        if (!shows(quiet, stderrTarget(), () -> System.console() != null)) {
            return new Progress(null);
        }
        return new Progress(new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build());
    }

    /**
     * Whether a bar is shown.
     *
     * @param quiet {@code --quiet} was given
     * @param stderrTarget the target of {@code /proc/self/fd/2}, or null when it cannot be read
     *     (not Linux, no procfs)
     * @param consoleFallback asked only when {@code stderrTarget} is null: whether a console is attached
     * @return true to draw the bar on stderr
     */
    static boolean shows(boolean quiet, Path stderrTarget, BooleanSupplier consoleFallback) {
        if (quiet) {
            return false;
        }
        return stderrTarget != null ? isTerminalDevice(stderrTarget) : consoleFallback.getAsBoolean();
    }

    /**
     * Whether a file descriptor's link target is a terminal device.
     *
     * @param target e.g. {@code /dev/pts/3} (true), {@code /dev/tty1} (true), {@code pipe:[4711]}
     *     (false), {@code /tmp/err.txt} (false), {@code /dev/null} (false)
     * @return true for {@code /dev/pts/*} and {@code /dev/tty*}
     */
    static boolean isTerminalDevice(Path target) {
        String t = target.toString();
        return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty");
    }

    /** The target of {@code /proc/self/fd/2}, or null when there is no such link (not Linux). */
    private static Path stderrTarget() {
        try {
            return Files.readSymbolicLink(STDERR_LINK);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** Advances the bar by one step. */
    public void step() {
        stepBy(1);
    }

    /** @param n steps to advance */
    public void stepBy(long n) {
        if (bar != null) {
            bar.stepBy(n);
        }
    }

    /**
     * Moves the bar to {@code done} of {@code total} steps, for work whose step count is known only once it runs
     * (convert's decomposition: the layers the plan converts).
     *
     * @param done  steps done
     * @param total steps in all, replacing the total given to {@link #start}
     */
    public void stepTo(long done, long total) {
        if (bar != null) {
            bar.maxHint(total);
            bar.stepTo(done);
        }
    }

    /** @param message extra text shown after the bar */
    public void message(String message) {
        if (bar != null) {
            bar.setExtraMessage(message);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
