package dev.lanes;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * The {@code jdk.VirtualThreadPinned} events of a recording that happened with Lanes' own code on
 * the stack. A test's own frames do not count: a test that blocks in
 * {@code CompletableFuture.get()} may be pinned by the JDK (JDK 25 reports a contended class
 * initialisation of its {@code Signaller} that way), and that says nothing about Lanes.
 */
public final class PinnedInLanes {

  private PinnedInLanes() {}

  /** Reads the recording at {@code jfr} and keeps the pinning events in Lanes' main code. */
  public static List<RecordedEvent> in(Path jfr) throws IOException {
    return RecordingFile.readAllEvents(jfr).stream()
        .filter(e -> e.getEventType().getName().equals("jdk.VirtualThreadPinned"))
        .filter(PinnedInLanes::hasALanesFrame)
        .toList();
  }

  private static boolean hasALanesFrame(RecordedEvent event) {
    return event.getStackTrace() != null && event.getStackTrace().getFrames().stream()
        .map(RecordedFrame::getMethod)
        .map(m -> m.getType().getName())
        .anyMatch(PinnedInLanes::isLanesMainCode);
  }

  /** Lanes' classes, less the tests (and their lambdas and nested classes). */
  static boolean isLanesMainCode(String className) {
    int nested = className.indexOf('$');
    String outer = nested < 0 ? className : className.substring(0, nested);
    return outer.startsWith("dev.lanes.") && !outer.endsWith("Test");
  }
}
