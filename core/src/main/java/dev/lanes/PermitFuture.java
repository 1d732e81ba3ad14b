package dev.lanes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * The future of a waiter behind {@link Lane#acquireAsync}. Whoever settles it first claims it:
 * the lane, to hand over a permit or a refusal, or the caller, by cancelling or completing it.
 * The lane claims before it completes, so it can count the permit as admitted before the
 * caller's callbacks run (inside {@code complete}, they may close the permit at once), and knows
 * beforehand whether the permit will reach the caller at all.
 */
final class PermitFuture extends CompletableFuture<Permit> {

  private static final VarHandle CLAIMED;

  static {
    try {
      CLAIMED = MethodHandles.lookup().findVarHandle(PermitFuture.class, "claimed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // through CLAIMED
  private volatile int claimed;

  /** Claims the right to settle this future; true for the first caller only. */
  boolean claim() {
    return CLAIMED.compareAndSet(this, 0, 1);
  }

  /** Completes a future the lane has claimed, running the caller's callbacks. */
  void deliver(Permit permit) {
    super.complete(permit);
  }

  /** Fails a future the lane has claimed. */
  void fail(Throwable failure) {
    super.completeExceptionally(failure);
  }

  @Override
  public boolean complete(Permit value) {
    return claim() && super.complete(value);
  }

  @Override
  public boolean completeExceptionally(Throwable failure) {
    return claim() && super.completeExceptionally(failure);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return claim() && super.cancel(mayInterruptIfRunning);
  }
}
