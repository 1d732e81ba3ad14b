package dev.lanes.servlet;

import dev.lanes.Lane;
import dev.lanes.LaneRejectedException;
import dev.lanes.Permit;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * One request's claim on a lane, from the moment it asks for a permit until the permit is
 * released. It travels with the request as an attribute, so every dispatch of the request (the
 * filter's own after a wait, the application's after its own async work) finds the same permit.
 *
 * <p>Its phase moves forward only, by CAS, so that the parties that race over a request (the
 * lane completing the wait, the container reporting an error or a timeout, the dispatch that
 * runs the application) each act at most once, and exactly one of them releases the permit:
 *
 * <pre>
 * WAITING --permit--> GRANTED --ASYNC dispatch--> RUNNING --response done--> FINISHED
 *    |                   '--request gone first (permit ignored)------------> FINISHED
 *    '--refused, or container timeout--> REFUSED --refusal written, cycle completed---> FINISHED
 *    '--request gone first (wait withdrawn)---------------------------------> FINISHED
 * </pre>
 *
 * <p>Once the application starts async, the release belongs to this object as an
 * {@link AsyncListener}. It is registered on the first async cycle (by {@link AdmittedRequest},
 * or after the pass if the application went around the wrapper) and re-registers itself on every
 * later one from {@link #onStartAsync}, which containers call from inside {@code startAsync}.
 */
final class Admission implements AsyncListener {

  private static final int WAITING = 0;
  private static final int GRANTED = 1;
  private static final int REFUSED = 2;
  private static final int RUNNING = 3;
  private static final int FINISHED = 4;

  private static final VarHandle PHASE;

  static {
    try {
      PHASE = MethodHandles.lookup().findVarHandle(Admission.class, "phase", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final LaneFilter filter;
  private final Lane lane;
  /** The response of the pass now running, whose status the outcome is judged on. */
  private volatile HttpServletResponse response;
  private volatile int phase;
  /** A failure the container reported while the application still holds the request. */
  private volatile Throwable reported;
  private volatile Permit permit;
  private volatile LaneRejectedException refusal;
  private volatile CompletableFuture<Permit> pending;
  /** Whether the application's chain has run under the permit. */
  private volatile boolean ran;
  /** Whether this listener is on the request's latest async cycle. */
  private volatile boolean listening;
  /** Whether the pass now running started async through {@link AdmittedRequest}. */
  private volatile boolean startedAsyncInPass;

  private Admission(LaneFilter filter, Lane lane, HttpServletResponse response, int phase) {
    this.filter = filter;
    this.lane = lane;
    this.response = response;
    this.phase = phase;
  }

  /** A request that holds {@code permit} and is about to run. */
  static Admission admitted(
      LaneFilter filter, Lane lane, HttpServletResponse response, Permit permit) {
    Admission admission = new Admission(filter, lane, response, RUNNING);
    admission.permit = permit;
    return admission;
  }

  /** A request that waits for {@code pending}, suspended in an async cycle of its own. */
  static Admission waiting(LaneFilter filter, Lane lane, HttpServletResponse response,
      CompletableFuture<Permit> pending) {
    Admission admission = new Admission(filter, lane, response, WAITING);
    admission.pending = pending;
    return admission;
  }

  /** Joins the filter's own async cycle, the one the request waits in. */
  void listenTo(AsyncContext context) {
    context.addListener(this);
    listening = true;
  }

  /**
   * The lane settled the wait: a permit, or a refusal. Runs on whichever thread completed the
   * future, often one releasing a permit, so it only hands the request back to the container.
   */
  void decided(AsyncContext context, Permit granted, Throwable failure) {
    if (granted != null) {
      permit = granted;
      if (!PHASE.compareAndSet(this, WAITING, GRANTED)) {
        granted.ignore(); // the request left while the permit was on its way
        return;
      }
    } else {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      if (cause instanceof CancellationException) {
        return; // withdrawn by this object, which has already settled the request
      }
      refusal = filter.refusalOf(lane, cause);
      if (!PHASE.compareAndSet(this, WAITING, REFUSED)) {
        return;
      }
      // Answered here, not by a dispatch back through the chain: a filter mapped for REQUEST
      // only would never see that dispatch, and the application would run without a permit.
      // On a container thread, since writing may block and this may be a lane's.
      try {
        context.start(() -> refuseAndComplete(context));
      } catch (IllegalStateException requestAlreadyOver) {
        abandon();
      }
      return;
    }
    dispatch(context);
  }

  /** Writes the refusal of a request that waited, and ends its async cycle. */
  private void refuseAndComplete(AsyncContext context) {
    if (PHASE.compareAndSet(this, REFUSED, FINISHED)) {
      try {
        filter.refuse(response, lane, refusal);
      } catch (IOException clientGone) {
        // nothing to tell a client that is not there
      } finally {
        complete(context);
      }
    }
  }

  /** A later dispatch of the request reached the filter again. */
  void redispatched(HttpServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    switch (phase) {
      case GRANTED:
        if (PHASE.compareAndSet(this, GRANTED, RUNNING)) {
          run(request, response, chain);
        }
        return;
      case REFUSED:
        if (PHASE.compareAndSet(this, REFUSED, FINISHED)) {
          filter.refuse((HttpServletResponse) response, lane, refusal);
        }
        return;
      case RUNNING:
        run(request, response, chain); // the application dispatched its own async work
        return;
      default:
        if (ran) {
          chain.doFilter(request, response); // e.g. an error page after the app's own timeout
        }
        // Otherwise the request was abandoned before it ran: the client is gone.
    }
  }

  /** Runs the rest of the chain under the permit, and releases it if the response is done. */
  void run(HttpServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    ran = true;
    if (response instanceof HttpServletResponse) {
      this.response = (HttpServletResponse) response; // an outer filter may wrap each pass anew
    }
    startedAsyncInPass = false;
    Throwable failure = null;
    try {
      chain.doFilter(new AdmittedRequest(request, this), response);
    } catch (Throwable t) {
      failure = t;
      throw t;
    } finally {
      afterPass(request, failure);
    }
  }

  private void afterPass(HttpServletRequest request, Throwable failure) {
    if (request.isAsyncStarted()) {
      if (!listening) {
        // The application went async on the request itself, not through the wrapper.
        request.getAsyncContext().addListener(this);
        listening = true;
      }
      return; // the release waits for complete, error or timeout
    }
    if (!startedAsyncInPass) {
      finish(failure != null ? failure : reported);
    }
    // Otherwise the application started async and already completed or dispatched it, before
    // this pass returned; the listener hears the end.
  }

  /** Called by {@link AdmittedRequest} once the application's {@code startAsync} returned. */
  void applicationStartedAsync(AsyncContext context) {
    startedAsyncInPass = true;
    if (!listening) {
      context.addListener(this);
      listening = true;
    }
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // The container forgets this cycle's listeners when a new one starts; stay on.
    event.getAsyncContext().addListener(this);
  }

  @Override
  public void onComplete(AsyncEvent event) {
    switch (phase) {
      case RUNNING:
        finish(reported);
        return;
      case GRANTED:
        if (PHASE.compareAndSet(this, GRANTED, FINISHED)) {
          permit.ignore();
          filter.warnMissedDispatch();
        }
        return;
      default:
        abandon();
    }
  }

  @Override
  public void onError(AsyncEvent event) {
    if (phase == RUNNING) {
      // The application may go on (an error page, its own handler dispatching): the permit is
      // released when the request completes, with this failure.
      Throwable error = event.getThrowable();
      reported = error != null ? error : new IOException("the container reported an async error");
      return;
    }
    if (abandon()) {
      complete(event.getAsyncContext());
    }
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    int now = phase;
    if (now == RUNNING) {
      // As for an error: the application's own timeout handling may still run (Spring's
      // DeferredResult dispatches), so the permit goes back when the request completes.
      reported = new TimeoutException("the application's async request timed out");
    } else if (now == WAITING && PHASE.compareAndSet(this, WAITING, REFUSED)) {
      // The container's timer rang before the lane's: refuse the request like the lane would.
      refusal = filter.refusalFor(lane, LaneRejectedException.Reason.TIMEOUT);
      pending.cancel(false);
      refuseAndComplete(event.getAsyncContext());
    }
  }

  /** Ends a request that the application never ran; true if it was waiting. */
  private boolean abandon() {
    while (true) {
      int now = phase;
      if (now == WAITING) {
        if (PHASE.compareAndSet(this, WAITING, FINISHED)) {
          pending.cancel(false); // withdraws the wait; a permit granted meanwhile goes back
          return true;
        }
      } else if (now == GRANTED) {
        if (PHASE.compareAndSet(this, GRANTED, FINISHED)) {
          permit.ignore();
          return false;
        }
      } else if (now == REFUSED) {
        if (PHASE.compareAndSet(this, REFUSED, FINISHED)) {
          return false;
        }
      } else {
        return false;
      }
    }
  }

  private void finish(Throwable failure) {
    if (PHASE.compareAndSet(this, RUNNING, FINISHED)) {
      filter.outcomeOf(response.getStatus(), failure, lane).release(permit);
    }
  }

  private void dispatch(AsyncContext context) {
    try {
      context.dispatch();
    } catch (IllegalStateException requestAlreadyOver) {
      abandon(); // the container will not dispatch it any more, so nobody else would release
    }
  }

  private static void complete(AsyncContext context) {
    try {
      context.complete();
    } catch (IllegalStateException alreadyOver) {
      // the container completed it first
    }
  }

}
