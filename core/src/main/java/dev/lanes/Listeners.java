package dev.lanes;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A lane's listeners, called so that none of them can break the lane. */
final class Listeners {

  private static final System.Logger LOG = System.getLogger(Lane.class.getName());

  private final String laneName;
  private final List<LaneListener> listeners;
  /** Listeners already logged as failing: a listener that always throws is logged once. */
  private final Set<LaneListener> logged = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean otherFailureLogged = new AtomicBoolean();

  Listeners(String laneName, List<LaneListener> initial) {
    this.laneName = laneName;
    this.listeners = new CopyOnWriteArrayList<>(initial);
  }

  void add(LaneListener listener) {
    listeners.add(listener);
  }

  boolean isEmpty() {
    return listeners.isEmpty();
  }

  /** Logs a failure of user code other than a listener: the first at WARNING, later ones at DEBUG. */
  void logFailure(String what, Throwable failure) {
    Level level = otherFailureLogged.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG;
    LOG.log(level, "lane '" + laneName + "': " + what + " threw; the lane carried on and lost no"
        + " permit (later failures are logged at DEBUG)", failure);
  }

  void fire(Consumer<LaneListener> event) {
    for (LaneListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (Throwable t) {
        if (logged.add(listener)) {
          LOG.log(Level.WARNING, "listener " + listener + " of lane '" + laneName
              + "' threw; the lane ignores it (logged once per listener)", t);
        }
      }
    }
  }
}
