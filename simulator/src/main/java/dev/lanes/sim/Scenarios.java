package dev.lanes.sim;

import static dev.lanes.Priority.BACKGROUND;
import static dev.lanes.Priority.CRITICAL;
import static dev.lanes.Priority.NORMAL;

import java.util.List;

/**
 * The scoreboard's scenarios. Unless a scenario says otherwise the device is a queueing device of
 * P = 16 with log-normal service times of mean 5 ms (sigma 0.5, so p99 is about 3.2 × the mean),
 * which completes 3,200 requests a second; lanes start at min 2, initial 8, max 64, the
 * first-principles size of a virtual disk; callers give up after 1 s ({@code BACKGROUND}: 10 s).
 *
 * <pre>{@code
 * for (Scenario s : Scenarios.all()) System.out.println(s.name() + ": " + s.description());
 * }</pre>
 */
public final class Scenarios {

  /** The default device's parallelism. */
  public static final int P = 16;
  /** The default device's mean service time, in seconds. */
  public static final double SERVICE = 0.005;
  /** The default device's service times. */
  public static final ServiceTime DISK = ServiceTime.logNormal(SERVICE, 0.5);
  /** Requests per second the default device completes when fully busy. */
  public static final double CAPACITY = P / SERVICE;

  private Scenarios() {}

  /** The nine scenarios of the Netflix comparison, the three device-like ones, then the extra. */
  public static List<Scenario> all() {
    return List.of(steadyOverload(), capacityDrop(), latencyShift(), criticalUnderScan(),
        lightLoad(), heavyTail(), bursty(), coldStartLow(), coldStartHigh(), hddLike(),
        sataLike(), nvmeLike(), cpuBoundNative());
  }

  /** The nine scenarios on the default device that the Netflix comparison counts. */
  public static List<Scenario> targeted() {
    return all().subList(0, 9);
  }

  /** The scenarios modelled on real devices: HDD, SATA SSD and NVMe. */
  public static List<Scenario> devices() {
    return all().subList(9, 12);
  }

  public static Scenario byName(String name) {
    return all().stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no scenario named " + name));
  }

  static Scenario steadyOverload() {
    return Scenario.named("steady-overload")
        .describedAs("NORMAL Poisson at 2 x capacity (6,400/s), P = 16, for 60 s.")
        .device(Scenario.DeviceSpec.queueing(P, DISK))
        .load(Load.poisson(NORMAL, 2 * CAPACITY))
        .seconds(60).build();
  }

  static Scenario capacityDrop() {
    return Scenario.named("capacity-drop")
        .describedAs("NORMAL Poisson at 1.25 x capacity (4,000/s); P goes 16 -> 8 at 30 s"
            + " (2.5 x overload) and back to 16 at 60 s; 90 s.")
        .device(Scenario.DeviceSpec.queueing(P, DISK))
        .load(Load.poisson(NORMAL, 1.25 * CAPACITY))
        .change(Change.parallelism(30, 8))
        .change(Change.parallelism(60, 16))
        .seconds(90).build();
  }

  static Scenario latencyShift() {
    return Scenario.named("latency-shift")
        .describedAs("NORMAL Poisson at 1.25 x capacity; service time doubles at 30 s"
            + " (P stays 16, capacity halves); 90 s.")
        .device(Scenario.DeviceSpec.queueing(P, DISK))
        .load(Load.poisson(NORMAL, 1.25 * CAPACITY))
        .change(Change.serviceTimeTimes(30, 2))
        .seconds(90).build();
  }

  static Scenario criticalUnderScan() {
    return Scenario.named("critical-under-scan")
        .describedAs("A BACKGROUND scanner of 64 workers saturates the device while CRITICAL and"
            + " NORMAL Poisson streams arrive at 10% and 40% of capacity; background reserve 2;"
            + " 60 s.")
        .device(Scenario.DeviceSpec.queueing(P, DISK))
        .load(Load.closedLoop(BACKGROUND, 64, 0))
        .load(Load.poisson(CRITICAL, 0.1 * CAPACITY))
        .load(Load.poisson(NORMAL, 0.4 * CAPACITY))
        .backgroundReserve(2)
        .seconds(60).build();
  }

  static Scenario lightLoad() {
    return Scenario.named("light-load")
        .describedAs("NORMAL Poisson at 30% of capacity (960/s); 60 s.")
        .device(Scenario.DeviceSpec.queueing(P, DISK))
        .load(Load.poisson(NORMAL, 0.3 * CAPACITY))
        .seconds(60).build();
  }

  static Scenario heavyTail() {
    return Scenario.named("heavy-tail")
        .describedAs("Pareto service times (alpha 1.5, mean 5 ms) at 1.5 x capacity; 60 s.")
        .device(Scenario.DeviceSpec.queueing(P, ServiceTime.pareto(SERVICE, 1.5)))
        .load(Load.poisson(NORMAL, 1.5 * CAPACITY))
        .seconds(60).build();
  }

  static Scenario bursty() {
    return Scenario.named("bursty")
        .describedAs("On/off bursts: Poisson at 3 x capacity for 1 s, then silence for 1 s"
            + " (50% duty cycle); 60 s.")
        .device(Scenario.DeviceSpec.queueing(P, DISK))
        .load(Load.onOff(NORMAL, 3 * CAPACITY, 1, 1))
        .seconds(60).build();
  }

  static Scenario coldStartLow() {
    return Scenario.named("cold-start-low")
        .describedAs("Poisson at 1.5 x capacity; lanes start at 2, ten times too low for P = 16"
            + " (min 1, max 256); 30 s.")
        .device(Scenario.DeviceSpec.queueing(P, DISK))
        .limits(1, 2, 256)
        .load(Load.poisson(NORMAL, 1.5 * CAPACITY))
        .seconds(30).build();
  }

  static Scenario coldStartHigh() {
    return Scenario.named("cold-start-high")
        .describedAs("Poisson at 1.5 x capacity; lanes start at 160, ten times too high for"
            + " P = 16 (min 1, max 256); 30 s.")
        .device(Scenario.DeviceSpec.queueing(P, DISK))
        .limits(1, 160, 256)
        .load(Load.poisson(NORMAL, 1.5 * CAPACITY))
        .seconds(30).build();
  }

  /**
   * A spinning disk: two requests at once (a seek each), 8 ms on average, at twice what it can
   * serve, with callers who give up after a second. The lane is sized as Lanes sizes an HDD.
   */
  static Scenario hddLike() {
    int p = 2;
    double service = 0.008;
    return Scenario.named("hdd-like")
        .describedAs("An HDD-like device (P = 2, log-normal mean 8 ms) under NORMAL Poisson at"
            + " 2 x capacity (500/s), callers giving up after 1 s; lanes sized as for an HDD"
            + " (1, 2, 8); 60 s.")
        .device(Scenario.DeviceSpec.queueing(p, ServiceTime.logNormal(service, 0.5)))
        .limits(1, 2, 8)
        .load(Load.poisson(NORMAL, 2 * p / service))
        .seconds(60).build();
  }

  /**
   * A SATA SSD whose parallelism doubles for a while (another tenant goes quiet, say) while the
   * load stays: 1.5 x overload at P = 8 is 0.75 x capacity at P = 16, a quiet spell in which the
   * lane is only brushed against its limit by bursts. Then P falls back under the same load. The
   * lanes start from the scoreboard's usual 2, 8, 64 rather than a SATA SSD's 2, 4, 16, whose
   * maximum would hide how far a limit climbs in the quiet spell.
   */
  static Scenario sataLike() {
    int p = 8;
    double service = 0.0004;
    return Scenario.named("sata-like")
        .describedAs("A SATA-SSD-like device (P = 8, log-normal mean 0.4 ms) under NORMAL"
            + " Poisson at 1.5 x capacity (30,000/s); P rises to 16 at 10 s, so the same load"
            + " is 0.75 x capacity (a quiet spell), and falls back to 8 at 30 s, overload back;"
            + " 50 s.")
        .device(Scenario.DeviceSpec.queueing(p, ServiceTime.logNormal(service, 0.5)))
        .load(Load.poisson(NORMAL, 1.5 * p / service))
        .change(Change.parallelism(10, 16))
        .change(Change.parallelism(30, 8))
        .seconds(50).build();
  }

  /**
   * An NVMe drive: 64 requests at once, 100 µs each, at twice what it can serve: some 1.3
   * million requests a simulated second. The lane is sized as Lanes sizes NVMe.
   */
  static Scenario nvmeLike() {
    int p = 64;
    double service = 0.0001;
    return Scenario.named("nvme-like")
        .describedAs("An NVMe-like device (P = 64, log-normal mean 100 µs) under NORMAL Poisson"
            + " at 2 x capacity (1,280,000/s); lanes sized as for NVMe (4, 16, 128); 30 s.")
        .device(Scenario.DeviceSpec.queueing(p, ServiceTime.logNormal(service, 0.5)))
        .limits(4, 16, 128)
        .load(Load.poisson(NORMAL, 2 * p / service))
        .seconds(30).build();
  }

  static Scenario cpuBoundNative() {
    int cores = 4;
    double service = 0.002;
    return Scenario.named("cpu-bound-native")
        .describedAs("A processor-sharing device (a CPU-bound native library on 4 cores, 2 ms"
            + " of work per call) under Poisson at 1.5 x capacity; lanes start at 4, 4 to 16;"
            + " 30 s. Not one of the nine targeted scenarios.")
        .device(Scenario.DeviceSpec.processorSharing(cores, ServiceTime.logNormal(service, 0.3)))
        .limits(4, 4, 16)
        .load(Load.poisson(NORMAL, 1.5 * cores / service))
        .seconds(30).build();
  }
}
