package dev.lanes.sim;

import dev.lanes.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One situation to run every contender through: a device, the load on it, what changes during
 * the run, and the limits a lane starts from.
 *
 * <pre>{@code
 * Scenario s = Scenario.named("steady-overload")
 *     .describedAs("Poisson at 2 x capacity, P = 16")
 *     .device(DeviceSpec.queueing(16, ServiceTime.logNormal(0.005, 0.5)))
 *     .limits(2, 8, 64)
 *     .load(Load.poisson(Priority.NORMAL, 6_400))
 *     .seconds(60)
 *     .build();
 * }</pre>
 */
public final class Scenario {

  private final String name;
  private final String description;
  private final DeviceSpec device;
  private final int min;
  private final int initial;
  private final int max;
  private final int backgroundReserve;
  private final List<Load> loads;
  private final List<Change> changes;
  private final double seconds;
  private final Map<Priority, Duration> timeouts;

  private Scenario(Builder b) {
    this.name = b.name;
    this.description = Objects.requireNonNull(b.description, "description");
    this.device = Objects.requireNonNull(b.device, "device");
    this.min = b.min;
    this.initial = b.initial;
    this.max = b.max;
    this.backgroundReserve = b.backgroundReserve;
    this.loads = List.copyOf(b.loads);
    this.changes = List.copyOf(b.changes);
    this.seconds = b.seconds;
    this.timeouts = new EnumMap<>(b.timeouts);
  }

  public static Builder named(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  public DeviceSpec device() {
    return device;
  }

  public int min() {
    return min;
  }

  public int initial() {
    return initial;
  }

  public int max() {
    return max;
  }

  public int backgroundReserve() {
    return backgroundReserve;
  }

  public List<Load> loads() {
    return loads;
  }

  public List<Change> changes() {
    return changes;
  }

  public double seconds() {
    return seconds;
  }

  public Map<Priority, Duration> timeouts() {
    return timeouts;
  }

  @Override
  public String toString() {
    return name;
  }

  /** The device a scenario runs on, built fresh for every run. */
  public interface DeviceSpec {
    Device create(Simulation sim);

    /** A queueing device: P servers, FIFO queue inside. */
    static DeviceSpec queueing(int parallelism, ServiceTime serviceTime) {
      return sim -> new QueueingDevice(sim, parallelism, serviceTime);
    }

    /** A processor-sharing device: P cores shared by all requests in it. */
    static DeviceSpec processorSharing(int parallelism, ServiceTime serviceTime) {
      return sim -> new ProcessorSharingDevice(sim, parallelism, serviceTime);
    }
  }

  /** Configures a {@link Scenario}. */
  public static final class Builder {
    private final String name;
    private String description;
    private DeviceSpec device;
    private int min = 2;
    private int initial = 8;
    private int max = 64;
    private int backgroundReserve;
    private final List<Load> loads = new ArrayList<>();
    private final List<Change> changes = new ArrayList<>();
    private double seconds = 60;
    private final Map<Priority, Duration> timeouts = new EnumMap<>(Map.of(
        Priority.CRITICAL, Duration.ofSeconds(1),
        Priority.NORMAL, Duration.ofSeconds(1),
        Priority.BACKGROUND, Duration.ofSeconds(10)));

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    public Builder describedAs(String description) {
      this.description = description;
      return this;
    }

    public Builder device(DeviceSpec device) {
      this.device = device;
      return this;
    }

    /** The lane sizing every Lanes contender starts from (Netflix ones too, in their second run). */
    public Builder limits(int min, int initial, int max) {
      this.min = min;
      this.initial = initial;
      this.max = max;
      return this;
    }

    public Builder backgroundReserve(int permits) {
      this.backgroundReserve = permits;
      return this;
    }

    public Builder load(Load load) {
      loads.add(load);
      return this;
    }

    public Builder change(Change change) {
      changes.add(change);
      return this;
    }

    public Builder seconds(double seconds) {
      this.seconds = seconds;
      return this;
    }

    /** How long a caller of {@code priority} waits before it gives up on a request. */
    public Builder timeout(Priority priority, Duration timeout) {
      timeouts.put(priority, timeout);
      return this;
    }

    public Scenario build() {
      return new Scenario(this);
    }
  }
}
