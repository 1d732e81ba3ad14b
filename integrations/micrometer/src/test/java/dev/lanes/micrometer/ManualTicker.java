package dev.lanes.micrometer;

import dev.lanes.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A lane clock that moves only when a test says so, so latencies are exact. */
final class ManualTicker implements Ticker {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Override
  public long nanoTime() {
    return now.get();
  }

  void advance(Duration by) {
    now.addAndGet(by.toNanos());
  }
}
