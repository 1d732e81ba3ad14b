package dev.lanes.registry;

import dev.lanes.Lane;
import dev.lanes.LaneBuilder;
import dev.lanes.LaneListener;
import dev.lanes.io.Classification;
import dev.lanes.io.DeviceProbe;
import dev.lanes.io.FileLanes;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitAlgorithms;
import dev.lanes.nativelib.NativeLane;
import dev.lanes.nativelib.NativeProfile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place that knows every lane of a process: one per storage device, sized by the device's
 * class; one per named resource; one worker pool per native library. Each is created once, on
 * first use, and {@link #close()} closes them all.
 *
 * <pre>{@code
 * LaneRegistry lanes = LaneRegistry.create();
 *
 * FileLanes files = lanes.files();
 * byte[] page = files.readAllBytes(Path.of("/data/table/page-17"));            // NORMAL
 * byte[] cold = files.readAllBytes(Path.of("/data/table/page-90"), Priority.BACKGROUND);
 *
 * Lane payments = lanes.named("payments-api");
 * NativeLane zlib = lanes.forNativeLibrary("zlib", NativeProfile.CPU_BOUND);
 * }</pre>
 *
 * <p>Paths share a lane when they share the queue that saturates: the partitions of one disk
 * share that disk's lane, and so does a single-disk stack such as dm-crypt on a partition; a RAID
 * or LVM volume over several disks has a lane of its own; every memory file system shares one.
 * The probe's mount table is cached for a few seconds, so {@link #forPath} costs a real-path
 * lookup and a map lookup.
 */
public final class LaneRegistry implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(LaneRegistry.class.getName());

  private final DeviceProbe probe;
  private final Supplier<LimitAlgorithm> algorithm;
  private final List<LaneListener> listeners;
  private final Consumer<LaneBuilder> customize;
  private final Map<String, Lane> deviceLanes = new ConcurrentHashMap<>();
  private final Map<String, Lane> namedLanes = new ConcurrentHashMap<>();
  private final Map<String, NativeLane> nativeLanes = new ConcurrentHashMap<>();
  private final Map<String, Classification> byDevice = new ConcurrentHashMap<>();
  private final FileLanes files = FileLanes.of(this::forPath);
  private final List<Consumer<? super Lane>> laneActions = new CopyOnWriteArrayList<>();
  /** Guards creation against close, and orders creations with {@link #onEachLane}. */
  private final ReentrantLock lifecycle = new ReentrantLock();
  private volatile boolean closed;

  private LaneRegistry(Builder builder) {
    this.probe = builder.probe;
    this.algorithm = builder.algorithm;
    this.listeners = List.copyOf(builder.listeners);
    this.customize = builder.customize;
  }

  /** A registry with the system's device probe and the default algorithm. */
  public static LaneRegistry create() {
    return builder().build();
  }

  /** Starts configuring a registry. */
  public static Builder builder() {
    return new Builder();
  }

  /** The lane of the device {@code path} is on, created on first use. */
  public Lane forPath(Path path) {
    Objects.requireNonNull(path, "path");
    Classification device = probe.classification(path);
    return create(deviceLanes, device.deviceKey(), key -> {
      byDevice.put(key, device);
      return lane("disk:" + key, device.deviceClass()::size);
    }, lane -> lane);
  }

  /** A lane for the resource called {@code name}, with default settings, created on first use. */
  public Lane named(String name) {
    Objects.requireNonNull(name, "name");
    return create(namedLanes, name, n -> lane(n, builder -> builder), lane -> lane);
  }

  /**
   * The worker pool and lane of native library {@code library}, created on first use with
   * {@code profile}; later calls return the same pool whatever profile they name.
   */
  public NativeLane forNativeLibrary(String library, NativeProfile profile) {
    Objects.requireNonNull(library, "library");
    Objects.requireNonNull(profile, "profile");
    return create(nativeLanes, library,
        lib -> NativeLane.builder(lib).profile(profile).lane(this::configure).build(),
        NativeLane::lane);
  }

  /** File operations routed through the lane of each path's device. */
  public FileLanes files() {
    return files;
  }

  /** How the device behind a lane of {@link #forPath} was classified, by device key. */
  public Map<String, Classification> devices() {
    return Map.copyOf(byDevice);
  }

  /** Every lane created so far: devices, named resources and native libraries. */
  public Collection<Lane> lanes() {
    List<Lane> all = new ArrayList<>(deviceLanes.values());
    all.addAll(namedLanes.values());
    nativeLanes.values().forEach(n -> all.add(n.lane()));
    return all;
  }

  /**
   * Runs {@code action} for every lane the registry holds now, on this thread, and then for every
   * lane it creates later, on the thread that creates it, before that thread gets the lane. No
   * lane is missed or seen twice, however creations and this call interleave. This is how a
   * metrics binder follows a registry; pair it with {@link LaneListener#onClosed} to see lanes go.
   *
   * <pre>{@code
   * registry.onEachLane(lane -> log.info("new lane {}, limit {}", lane.name(), lane.limit()));
   * }</pre>
   *
   * <p>A failure of {@code action} for a lane that exists now is thrown from here, and the action
   * is not kept; for a later lane it is logged, and the lane is created anyway.
   */
  public void onEachLane(Consumer<? super Lane> action) {
    Objects.requireNonNull(action, "action");
    lifecycle.lock();
    try {
      // Registered before the replay: a lane the action itself creates meets the action as it
      // is created, and is not in the list replayed.
      laneActions.add(action);
      try {
        lanes().forEach(action);
      } catch (RuntimeException | Error e) {
        laneActions.remove(action);
        throw e;
      }
    } finally {
      lifecycle.unlock();
    }
  }

  /**
   * Closes every lane and native pool; new lanes are refused from then on with an
   * {@link IllegalStateException}. A lane being created while this runs is finished first and
   * closed with the others, so once this returns every lane the registry handed out is closed.
   */
  @Override
  public void close() {
    lifecycle.lock();
    try {
      closed = true;
    } finally {
      lifecycle.unlock();
    }
    deviceLanes.values().forEach(Lane::close);
    namedLanes.values().forEach(Lane::close);
    nativeLanes.values().forEach(NativeLane::close);
  }

  /**
   * Returns the entry of {@code key}, creating it on first use. Creation runs under the lifecycle
   * lock, so it cannot slip past {@link #close()} and every lane action sees it exactly once;
   * lookups of existing entries take no lock.
   */
  private <T> T create(Map<String, T> entries, String key, Function<String, T> factory,
      Function<T, Lane> laneOf) {
    T existing = entries.get(key);
    if (existing != null) {
      return existing;
    }
    lifecycle.lock();
    try {
      existing = entries.get(key);
      if (existing != null) {
        return existing;
      }
      if (closed) {
        throw new IllegalStateException(
            "the lane registry is closed; it creates no more lanes (asked for '" + key + "')");
      }
      T created = factory.apply(key);
      entries.put(key, created);
      Lane lane = laneOf.apply(created);
      for (Consumer<? super Lane> action : laneActions) {
        try {
          action.accept(lane);
        } catch (RuntimeException | Error e) {
          LOG.log(System.Logger.Level.WARNING, "a lane action of the registry failed for lane '"
              + lane.name() + "'; the lane is kept", e);
        }
      }
      return created;
    } finally {
      lifecycle.unlock();
    }
  }

  private Lane lane(String name, java.util.function.UnaryOperator<LaneBuilder> sizing) {
    LaneBuilder builder = Lane.builder(name);
    configure(builder);
    return sizing.apply(builder).build();
  }

  private void configure(LaneBuilder builder) {
    if (algorithm != null) {
      builder.algorithm(algorithm.get());
    }
    listeners.forEach(builder::listener);
    customize.accept(builder);
  }

  /** Configures a {@link LaneRegistry}. */
  public static final class Builder {
    private DeviceProbe probe = DeviceProbe.system();
    private Supplier<LimitAlgorithm> algorithm;
    private final List<LaneListener> listeners = new CopyOnWriteArrayList<>();
    private Consumer<LaneBuilder> customize = builder -> {};

    private Builder() {}

    /** Where devices are looked up; {@link DeviceProbe#system()} by default. */
    public Builder probe(DeviceProbe probe) {
      this.probe = Objects.requireNonNull(probe, "probe");
      return this;
    }

    /** Every lane gets a fresh algorithm registered under {@code name}; by default "gradient". */
    public Builder algorithm(String name) {
      Objects.requireNonNull(name, "algorithm");
      LimitAlgorithms.provider(name).orElseThrow(() -> new IllegalArgumentException(
          "algorithm '" + name + "' is not on the class path; known: " + LimitAlgorithms.names()));
      this.algorithm = () -> LimitAlgorithms.create(name).orElseThrow();
      return this;
    }

    /** Every lane gets a fresh algorithm from {@code algorithms}; it must not reuse instances. */
    public Builder algorithm(Supplier<LimitAlgorithm> algorithms) {
      this.algorithm = Objects.requireNonNull(algorithms, "algorithm");
      return this;
    }

    /** Adds a listener to every lane. */
    public Builder listener(LaneListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Adjusts every lane before it is built (maxWait, queue, background reserve, window...). A
     * device lane's limits are set afterwards, from its device class.
     */
    public Builder customize(Consumer<LaneBuilder> customize) {
      this.customize = Objects.requireNonNull(customize, "customize");
      return this;
    }

    public LaneRegistry build() {
      return new LaneRegistry(this);
    }
  }
}
