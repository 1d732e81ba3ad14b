package dev.lanes.spring;

import dev.lanes.Lane;
import dev.lanes.LaneSnapshot;
import dev.lanes.Priority;
import dev.lanes.io.Classification;
import dev.lanes.io.MountInfo;
import dev.lanes.limit.WindowSummary;
import dev.lanes.registry.LaneRegistry;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The Actuator endpoint {@code lanes}: every lane of the registry with its limit, what is in
 * flight, what waits, and latency per priority; for a device's lane, the device too.
 * {@code GET /actuator/lanes} lists them all, {@code GET /actuator/lanes/{name}} shows one.
 *
 * <pre>{@code
 * {"lanes": {"payments-api": {"limit": 10, "minLimit": 2, "maxLimit": 50, "inFlight": 3,
 *   "waiting": 0, "closed": false, "device": null,
 *   "priorities": {"normal": {"waiting": 0, "admitted": 1200, "rejected": 4,
 *                             "p99Ms": 41.2, "p99MsSinceStart": 48.9}, ...}}}}
 * }</pre>
 */
@Endpoint(id = "lanes")
public class LanesEndpoint {

  private final LaneRegistry registry;

  public LanesEndpoint(LaneRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Every lane, by name. */
  @ReadOperation
  public LanesDescriptor lanes() {
    Map<String, Classification> devices = registry.devices();
    Map<String, LaneDescriptor> lanes = new LinkedHashMap<>();
    registry.lanes().stream()
        .sorted(Comparator.comparing(Lane::name))
        .forEach(lane -> lanes.put(lane.name(), describe(lane, devices)));
    return new LanesDescriptor(lanes);
  }

  /** One lane, or 404 if the registry has none of that name. */
  @ReadOperation
  public LaneDescriptor lane(@Selector String name) {
    Map<String, Classification> devices = registry.devices();
    return registry.lanes().stream()
        .filter(lane -> lane.name().equals(name))
        .findFirst()
        .map(lane -> describe(lane, devices))
        .orElse(null);
  }

  private static LaneDescriptor describe(Lane lane, Map<String, Classification> devices) {
    LaneSnapshot snapshot = lane.snapshot();
    List<WindowSummary> parts = snapshot.lastWindow()
        .map(WindowSummary::parts)
        .filter(p -> p.size() == Priority.values().length)
        .orElse(List.of());
    Map<String, PriorityDescriptor> priorities = new LinkedHashMap<>();
    for (Priority p : Priority.values()) {
      Double windowP99 = parts.isEmpty() || parts.get(p.ordinal()).samples() == 0
          ? null : millis(parts.get(p.ordinal()).percentileNanos(0.99));
      Double p99 = snapshot.timed(p) == 0 ? null : millis(snapshot.latencyNanos(p, 0.99));
      priorities.put(p.name().toLowerCase(Locale.ROOT), new PriorityDescriptor(
          snapshot.waiting(p), snapshot.admitted(p), snapshot.rejected(p), windowP99, p99));
    }
    return new LaneDescriptor(snapshot.limit(), snapshot.minLimit(), snapshot.maxLimit(),
        snapshot.inFlight(), snapshot.waiting(), lane.queueOrder().name().toLowerCase(Locale.ROOT),
        lane.isClosed(), device(lane, devices), priorities);
  }

  /** The device behind a lane of {@code LaneRegistry.forPath}, named "disk:" + its key. */
  private static DeviceDescriptor device(Lane lane, Map<String, Classification> devices) {
    String name = lane.name();
    Classification device = name.startsWith("disk:") ? devices.get(name.substring(5)) : null;
    if (device == null) {
      return null;
    }
    MountInfo mount = device.mount();
    return new DeviceDescriptor(device.deviceClass().name(), device.deviceKey(),
        mount == null ? null : mount.mountPoint().toString(),
        mount == null ? null : mount.fsType(), device.reason());
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1e3) / 1e3;
  }

  /** Every lane of the registry, by name. */
  public record LanesDescriptor(Map<String, LaneDescriptor> lanes) {}

  /**
   * One lane: its limit and bounds, calls in flight and waiting (every priority), the order its
   * queue is served in, whether it is closed, its device if it is a device's lane, and figures
   * per priority.
   */
  public record LaneDescriptor(int limit, int minLimit, int maxLimit, int inFlight, int waiting,
      String queueOrder, boolean closed, DeviceDescriptor device,
      Map<String, PriorityDescriptor> priorities) {}

  /**
   * The calls of one priority: waiting now, admitted and refused since the lane was built, and
   * p99 latency in milliseconds in the last window the algorithm closed and since the start
   * (null when no call was measured).
   */
  public record PriorityDescriptor(int waiting, long admitted, long rejected, Double p99Ms,
      Double p99MsSinceStart) {}

  /** The device of a disk lane: its class, key, mount point and file system, and why. */
  public record DeviceDescriptor(String deviceClass, String key, String mountPoint,
      String fsType, String reason) {}
}
