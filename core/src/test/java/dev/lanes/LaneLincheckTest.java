package dev.lanes;

import dev.lanes.limit.WindowConfig;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Checks with Lincheck that admission and release are linearizable: every concurrent history of
 * these operations matches some sequential order of them on a lane with limit 2, background
 * reserve 1 and critical ceiling 3.
 *
 * <p>The sequential specification is {@link Model}, a plain restatement of rules 2 to 4, so a lane
 * that is linearizable but admits the wrong calls fails too.
 *
 * <p>Each owner's operations share a {@code nonParallelGroup}, so one thread runs them all and its
 * permits never cross threads: taking a permit and holding it is then one step, as it is in real
 * code, and the harness adds no histories of its own.
 */
public class LaneLincheckTest {

  private final Lane lane = Lane.builder("lincheck").algorithm((w, l) -> l).limits(1, 2, 2)
      .backgroundReserve(1).criticalCeiling(3).window(WindowConfig.disabled()).maxQueued(0)
      .build();
  private final Deque<Permit> a = new ArrayDeque<>();
  private final Deque<Permit> b = new ArrayDeque<>();
  private final Deque<Permit> c = new ArrayDeque<>();

  @Operation(nonParallelGroup = "a")
  public boolean normalA() {
    return take(a, Priority.NORMAL);
  }

  @Operation(nonParallelGroup = "a")
  public boolean backgroundA() {
    return take(a, Priority.BACKGROUND);
  }

  @Operation(nonParallelGroup = "a")
  public boolean releaseA() {
    return release(a);
  }

  @Operation(nonParallelGroup = "b")
  public boolean normalB() {
    return take(b, Priority.NORMAL);
  }

  @Operation(nonParallelGroup = "b")
  public boolean criticalB() {
    return take(b, Priority.CRITICAL);
  }

  @Operation(nonParallelGroup = "b")
  public boolean releaseB() {
    return release(b);
  }

  @Operation(nonParallelGroup = "c")
  public boolean backgroundC() {
    return take(c, Priority.BACKGROUND);
  }

  @Operation(nonParallelGroup = "c")
  public boolean criticalC() {
    return take(c, Priority.CRITICAL);
  }

  @Operation(nonParallelGroup = "c")
  public boolean droppedC() {
    Permit permit = c.pollLast();
    if (permit == null) {
      return false;
    }
    permit.dropped();
    return true;
  }

  @Operation
  public int inFlight() {
    return lane.inFlight();
  }

  private boolean take(Deque<Permit> owner, Priority priority) {
    return lane.tryAcquire(priority).map(owner::add).orElse(false);
  }

  private static boolean release(Deque<Permit> owner) {
    Permit permit = owner.pollLast();
    if (permit == null) {
      return false;
    }
    permit.close();
    return true;
  }

  /** What a lane with limit 2, reserve 1 and ceiling 3 must do, one operation at a time. */
  public static final class Model {
    private int inFlight;
    private final int[] held = new int[3];

    public boolean normalA() {
      return admit(0, inFlight < 2);
    }

    public boolean backgroundA() {
      return admit(0, inFlight < 2 - 1);
    }

    public boolean releaseA() {
      return release(0);
    }

    public boolean normalB() {
      return admit(1, inFlight < 2);
    }

    public boolean criticalB() {
      return admit(1, inFlight < 3);
    }

    public boolean releaseB() {
      return release(1);
    }

    public boolean backgroundC() {
      return admit(2, inFlight < 2 - 1);
    }

    public boolean criticalC() {
      return admit(2, inFlight < 3);
    }

    public boolean droppedC() {
      return release(2);
    }

    public int inFlight() {
      return inFlight;
    }

    private boolean admit(int owner, boolean allowed) {
      if (allowed) {
        inFlight++;
        held[owner]++;
      }
      return allowed;
    }

    private boolean release(int owner) {
      if (held[owner] == 0) {
        return false;
      }
      held[owner]--;
      inFlight--;
      return true;
    }
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions().sequentialSpecification(Model.class).iterations(20).invocationsPerIteration(200)
        .threads(3).actorsPerThread(3).check(LaneLincheckTest.class);
  }

  @Test
  void stress() {
    new StressOptions().sequentialSpecification(Model.class).iterations(20).invocationsPerIteration(500)
        .threads(3).actorsPerThread(4).check(LaneLincheckTest.class);
  }
}
