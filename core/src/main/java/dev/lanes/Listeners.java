package dev.lanes;

import dev.lanes.limit.WindowSummary;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A lane's listeners, called so that none of them can break the lane. Each event goes only to the
 * listeners that override its method, found once when the listener is added: a metrics binder
 * that hears only {@code onClosed} costs a refusal nothing.
 */
final class Listeners {

  static final int LIMIT_CHANGED = 1;
  static final int WINDOW_CLOSED = 1 << 1;
  static final int REJECTED = 1 << 2;
  static final int ALGORITHM_ERROR = 1 << 3;
  static final int CLOSED = 1 << 4;
  private static final int ALL = (1 << 5) - 1;

  private static final System.Logger LOG = System.getLogger(Lane.class.getName());

  private final String laneName;
  private final List<Entry> entries = new CopyOnWriteArrayList<>();
  /** The events someone hears, so that a lane need not even make the event for nobody. */
  private volatile int heard;
  /** Adding and removing, rare, take turns; firing takes no lock. */
  private final ReentrantLock changes = new ReentrantLock();
  /** Listeners already logged as failing: a listener that always throws is logged once. */
  private final Set<LaneListener> logged = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean otherFailureLogged = new AtomicBoolean();

  Listeners(String laneName, List<LaneListener> initial) {
    this.laneName = laneName;
    initial.forEach(this::add);
  }

  void add(LaneListener listener) {
    Entry entry = new Entry(listener, eventsOf(listener));
    changes.lock();
    try {
      entries.add(entry);
      heard |= entry.events;
    } finally {
      changes.unlock();
    }
  }

  /** Removes every registration of {@code listener}; returns whether there was one. */
  boolean remove(LaneListener listener) {
    changes.lock();
    try {
      boolean removed = entries.removeIf(e -> e.listener == listener);
      int events = 0;
      for (Entry e : entries) {
        events |= e.events;
      }
      heard = events;
      return removed;
    } finally {
      changes.unlock();
    }
  }

  /** Whether any listener hears {@code event}. */
  boolean hear(int event) {
    return (heard & event) != 0;
  }

  /** Logs a failure of user code other than a listener: the first at WARNING, later ones at DEBUG. */
  void logFailure(String what, Throwable failure) {
    Level level = otherFailureLogged.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG;
    LOG.log(level, "lane '" + laneName + "': " + what + " threw; the lane carried on and lost no"
        + " permit (later failures are logged at DEBUG)", failure);
  }

  void fire(int event, Consumer<LaneListener> call) {
    for (Entry entry : entries) {
      if ((entry.events & event) == 0) {
        continue;
      }
      try {
        call.accept(entry.listener);
      } catch (Throwable t) {
        if (logged.add(entry.listener)) {
          LOG.log(Level.WARNING, "listener " + entry.listener + " of lane '" + laneName
              + "' threw; the lane ignores it (logged once per listener)", t);
        }
      }
    }
  }

  /** The events whose methods {@code listener}'s class overrides; all of them if it cannot tell. */
  private static int eventsOf(LaneListener listener) {
    try {
      Class<?> type = listener.getClass();
      int events = 0;
      events |= overrides(type, "onLimitChanged", Lane.class, int.class, int.class)
          ? LIMIT_CHANGED : 0;
      events |= overrides(type, "onWindowClosed", Lane.class, WindowSummary.class, int.class)
          ? WINDOW_CLOSED : 0;
      events |= overrides(type, "onRejected", Lane.class, Priority.class,
          LaneRejectedException.Reason.class) ? REJECTED : 0;
      events |= overrides(type, "onAlgorithmError", Lane.class, Throwable.class)
          ? ALGORITHM_ERROR : 0;
      events |= overrides(type, "onClosed", Lane.class) ? CLOSED : 0;
      return events;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return ALL;
    }
  }

  private static boolean overrides(Class<?> type, String name, Class<?>... parameters)
      throws NoSuchMethodException {
    return type.getMethod(name, parameters).getDeclaringClass() != LaneListener.class;
  }

  private static final class Entry {
    final LaneListener listener;
    final int events;

    Entry(LaneListener listener, int events) {
      this.listener = listener;
      this.events = events;
    }
  }
}
