package dev.lanes.sim;

import java.io.Console;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tells the person at the terminal how the scoreboard is getting on: runs done of the total, time
 * elapsed, and the scenarios running now. On a terminal it keeps rewriting one line, twice a
 * second; into a file or a pipe it writes a line as each scenario finishes, so a log stays short.
 *
 * <pre>{@code
 * Progress progress = Progress.to(System.out, 143);
 * progress.started("nvme-like");
 * progress.finished("nvme-like", true);   // true: the scenario's last run
 * progress.close();
 * }</pre>
 */
final class Progress implements AutoCloseable {

  /** Reports nothing: for tests. */
  static final Progress NONE = new Progress(null, 0, false);

  private final PrintStream out;
  private final int total;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  /** Runs in progress per scenario, in the order they began. Guarded by this. */
  private final Map<String, Integer> running = new LinkedHashMap<>();
  private int done;
  private int lastLength;
  private final ScheduledExecutorService ticker;

  private Progress(PrintStream out, int total, boolean terminal) {
    this.out = out;
    this.total = total;
    this.terminal = terminal;
    if (out != null && terminal) {
      ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "scoreboard-progress");
        t.setDaemon(true);
        return t;
      });
      ticker.scheduleAtFixedRate(this::redraw, 0, 500, TimeUnit.MILLISECONDS);
    } else {
      ticker = null;
    }
  }

  /** Progress of {@code total} runs on {@code out}: one updating line if it is a terminal. */
  static Progress to(PrintStream out, int total) {
    return new Progress(out, total, out == System.out && isTerminal());
  }

  synchronized void started(String scenario) {
    running.merge(scenario, 1, Integer::sum);
  }

  /** A run of {@code scenario} finished; {@code last} when no run of it is left to start or end. */
  synchronized void finished(String scenario, boolean last) {
    done++;
    running.computeIfPresent(scenario, (s, n) -> n == 1 ? null : n - 1);
    if (out != null && !terminal && last) {
      out.println(String.format(Locale.ROOT, "scoreboard: %s done; %d/%d runs, %s elapsed",
          scenario, done, total, elapsed()));
    }
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.shutdownNow();
      synchronized (this) {
        out.print("\r" + " ".repeat(lastLength) + "\r");
        out.flush();
      }
    }
  }

  private synchronized void redraw() {
    String line = String.format(Locale.ROOT, "scoreboard: %d/%d runs, %s elapsed, running %s",
        done, total, elapsed(), running.isEmpty() ? "-" : String.join(", ", running.keySet()));
    // Pad with blanks to wipe what a longer line left behind.
    out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
    out.flush();
    lastLength = line.length();
  }

  private String elapsed() {
    long seconds = (System.nanoTime() - startNanos) / 1_000_000_000L;
    return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }

  /**
   * Whether standard output is a terminal. Before JDK 22 a console exists only then; from JDK 22
   * on one may exist anyway, and {@code Console.isTerminal()} says.
   */
  private static boolean isTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
