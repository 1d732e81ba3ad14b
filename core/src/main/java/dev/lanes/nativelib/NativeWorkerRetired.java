package dev.lanes.nativelib;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event: a worker thread of a native lane was retired, because a call failed in a way its
 * {@code retireOn} matched or because its {@code threadInit} failed. A fresh worker takes its
 * place. Record it with {@code -XX:StartFlightRecording} and read it with
 * {@code jfr print --categories Lanes}.
 */
@Name("dev.lanes.NativeWorkerRetired")
@Label("Native Worker Retired")
@Description("A native lane retired a worker thread after a failure; a fresh one replaces it")
@Category("Lanes")
@StackTrace(false)
final class NativeWorkerRetired extends Event {

  @Label("Library")
  @Description("The native library the lane runs calls into")
  String library;

  @Label("Worker")
  @Description("The name of the retired worker thread")
  String worker;

  @Label("Cause")
  @Description("The failure that retired the worker: its class and message")
  String cause;

  /** Records the retirement of the calling worker thread, if a recording wants it. */
  static void emit(String library, Throwable cause) {
    NativeWorkerRetired event = new NativeWorkerRetired();
    if (event.shouldCommit()) {
      event.library = library;
      event.worker = Thread.currentThread().getName();
      event.cause = String.valueOf(cause);
      event.commit();
    }
  }
}
