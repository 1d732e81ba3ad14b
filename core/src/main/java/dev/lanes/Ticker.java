package dev.lanes;

/**
 * A source of nanosecond time. Lanes read it once when a permit is granted and once when it is
 * released; simulations pass a virtual one.
 *
 * <pre>{@code
 * AtomicLong now = new AtomicLong();
 * Lane lane = Lane.builder("sim").ticker(now::get).build();
 * }</pre>
 */
@FunctionalInterface
public interface Ticker {

  /** Returns the current time in nanoseconds; only differences between readings matter. */
  long nanoTime();

  /** Returns the ticker backed by {@link System#nanoTime()}. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}

/** The wall-clock ticker, a singleton so that lanes can recognise it. */
enum SystemTicker implements Ticker {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }
}
