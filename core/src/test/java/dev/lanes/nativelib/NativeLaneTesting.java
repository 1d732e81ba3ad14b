package dev.lanes.nativelib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Helpers for native lane tests: find a lane's worker threads, close a lane without hanging. */
final class NativeLaneTesting {

  private NativeLaneTesting() {}

  /** Live threads named like the workers of {@code library}'s lane. */
  static List<Thread> workerThreads(String library) {
    Pattern name = Pattern.compile("lanes-native-" + Pattern.quote(library) + "-\\d+");
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> name.matcher(t.getName()).matches())
        .collect(Collectors.toList());
  }

  /** Closes {@code lane} on another thread; fails, rather than hangs, if close() never returns. */
  static void closeWithin(NativeLane lane, Duration patience) throws InterruptedException {
    Thread closer = new Thread(lane::close, "closing " + lane.library());
    closer.setDaemon(true);
    closer.start();
    closer.join(patience.toMillis());
    assertThat(closer.isAlive()).as("close() of %s returned within %s", lane, patience).isFalse();
  }
}
