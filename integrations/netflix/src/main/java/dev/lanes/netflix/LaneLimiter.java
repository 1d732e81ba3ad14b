package dev.lanes.netflix;

import com.netflix.concurrency.limits.Limiter;
import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import java.util.Optional;
import java.util.function.Function;

/** A lane behind Netflix's {@link Limiter} interface. */
final class LaneLimiter<ContextT> implements Limiter<ContextT> {

  private final Lane lane;
  private final Function<? super ContextT, Priority> priorityOf;

  LaneLimiter(Lane lane, Function<? super ContextT, Priority> priorityOf) {
    this.lane = lane;
    this.priorityOf = priorityOf;
  }

  @Override
  public Optional<Listener> acquire(ContextT context) {
    return lane.tryAcquire(priorityOf.apply(context)).map(PermitListener::new);
  }

  @Override
  public String toString() {
    return "NetflixLimits.asLimiter(" + lane + ")";
  }

  /** Netflix's three outcomes map one to one onto a permit's three releases. */
  private static final class PermitListener implements Listener {
    private final Permit permit;

    PermitListener(Permit permit) {
      this.permit = permit;
    }

    @Override
    public void onSuccess() {
      permit.close();
    }

    @Override
    public void onIgnore() {
      permit.ignore();
    }

    @Override
    public void onDropped() {
      permit.dropped();
    }
  }
}
