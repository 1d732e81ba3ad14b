package dev.lanes.nativelib;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Finds the live worker threads of a native lane by their names. */
final class WorkerThreads {

  private WorkerThreads() {}

  /** Live threads named like the workers of {@code library}'s lane. */
  static List<Thread> of(String library) {
    Pattern name = Pattern.compile("lanes-native-" + Pattern.quote(library) + "-\\d+");
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> name.matcher(t.getName()).matches())
        .collect(Collectors.toList());
  }
}
