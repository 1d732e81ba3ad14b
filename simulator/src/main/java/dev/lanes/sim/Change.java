package dev.lanes.sim;

/**
 * Something that happens to the device during a run, at a fixed time.
 *
 * <pre>{@code
 * Change drop = Change.parallelism(30, 8);        // at 30 s, P becomes 8
 * Change slower = Change.serviceTimeTimes(30, 2); // at 30 s, every request takes twice as long
 * }</pre>
 */
public final class Change {

  private final double atSeconds;
  private final String description;
  private final java.util.function.Consumer<Device> action;
  private final int parallelism;

  private Change(double atSeconds, String description,
      java.util.function.Consumer<Device> action, int parallelism) {
    this.atSeconds = atSeconds;
    this.description = description;
    this.action = action;
    this.parallelism = parallelism;
  }

  /** At {@code atSeconds}, the device's parallelism becomes {@code parallelism}. */
  public static Change parallelism(double atSeconds, int parallelism) {
    return new Change(atSeconds, "P = " + parallelism + " at " + atSeconds + " s",
        device -> device.setParallelism(parallelism), parallelism);
  }

  /** At {@code atSeconds}, every service time is multiplied by {@code factor}. */
  public static Change serviceTimeTimes(double atSeconds, double factor) {
    return new Change(atSeconds, "service time x " + factor + " at " + atSeconds + " s",
        device -> device.setServiceTime(device.serviceTime().times(factor)), -1);
  }

  public double atSeconds() {
    return atSeconds;
  }

  /** The parallelism this change sets, or -1 if it leaves P alone. */
  public int parallelism() {
    return parallelism;
  }

  void applyTo(Device device) {
    action.accept(device);
  }

  @Override
  public String toString() {
    return description;
  }
}
