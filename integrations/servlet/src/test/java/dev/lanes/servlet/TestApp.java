package dev.lanes.servlet;

import dev.lanes.Priority;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The application behind the filter in the container tests: servlets that the test holds with a
 * semaphore, sleeps, async work on other threads, and failures, all counting how many run at once.
 *
 * <ul>
 *   <li>{@code /hold/*}: waits until the test calls {@link #finish(int)}, then answers 200;</li>
 *   <li>{@code /blocking/*}: like {@code /hold/*}, but does not support async;</li>
 *   <li>{@code /fast/*}: answers 200 with the priority the filter gave the request;</li>
 *   <li>{@code /sleep}: waits for {@link #openGate()}, sleeps 50 ms, answers 200;</li>
 *   <li>{@code /async/complete}: goes async and completes on another thread after
 *       {@link #finish(int)};</li>
 *   <li>{@code /async/dispatch}: goes async, and after {@link #finish(int)} dispatches back to
 *       itself, which answers;</li>
 *   <li>{@code /async/dispatch-now}: goes async and dispatches back to itself at once, before
 *       its first pass returns; the second pass waits for {@link #finish(int)};</li>
 *   <li>{@code /async/complete-now}: goes async and completes before its pass returns;</li>
 *   <li>{@code /async/unwrapped}: goes async on the container's own request, around any
 *       wrapper, and completes on another thread after {@link #finish(int)};</li>
 *   <li>{@code /async/timeout}: goes async with a 200 ms timeout and never completes;</li>
 *   <li>{@code /async/throw}: goes async, then throws;</li>
 *   <li>{@code /fail/throw}, {@code /fail/503}, {@code /fail/500}: fail in those ways;</li>
 *   <li>{@code /soak/*}: the soak's mix (see {@link #soak}).</li>
 * </ul>
 */
final class TestApp {

  static final String PRIORITY_ATTRIBUTE = "test.priority";
  private static final String DISPATCHED = "test.dispatched";

  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger maxRunning = new AtomicInteger();
  /** Non-critical requests running at once, at most; CRITICAL may go past the limit. */
  final AtomicInteger maxRunningLimited = new AtomicInteger();
  final AtomicInteger runningLimited = new AtomicInteger();
  final AtomicInteger entered = new AtomicInteger();
  /** The path info of each request that reached a holding servlet, in the order they did. */
  final List<String> entries = Collections.synchronizedList(new ArrayList<>());
  private final Semaphore finish = new Semaphore(0);
  private final CountDownLatch gate = new CountDownLatch(1);
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-app-worker");
    t.setDaemon(true);
    return t;
  });

  /** Lets {@code n} held requests finish. */
  void finish(int n) {
    finish.release(n);
  }

  void openGate() {
    gate.countDown();
  }

  /** Unblocks everything, so a failed test does not hang its container's shutdown. */
  void releaseAll() {
    finish.release(100_000);
    gate.countDown();
    workers.shutdownNow();
  }

  /** A classifier that also records its answer on the request, for {@code /fast} to echo. */
  static Function<jakarta.servlet.http.HttpServletRequest, Priority> recording(
      Function<jakarta.servlet.http.HttpServletRequest, Priority> classifier) {
    return request -> {
      Priority p = classifier.apply(request);
      request.setAttribute(PRIORITY_ATTRIBUTE, p);
      return p;
    };
  }

  /** Installs the servlets, {@code filter} on {@code /*}, and {@code outer} (if any) before it. */
  void install(ServletContext context, LaneFilter filter, Filter outer) {
    if (outer != null) {
      FilterRegistration.Dynamic o = context.addFilter("outer", outer);
      o.setAsyncSupported(true);
      o.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), false,
          "/*");
    }
    filter.register(context, "/*");
    add(context, "hold", "/hold/*", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        entries.add(req.getPathInfo());
        enter(req);
        try {
          hold();
        } finally {
          leave(req);
        }
        write(resp, 200, "held " + req.getPathInfo());
      }
    });
    ServletRegistration.Dynamic blocking = context.addServlet("blocking", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        entries.add(req.getPathInfo());
        enter(req);
        try {
          hold();
        } finally {
          leave(req);
        }
        write(resp, 200, "held without async " + req.getPathInfo());
      }
    });
    blocking.setAsyncSupported(false); // so requests to it wait for a permit on their thread
    blocking.addMapping("/blocking/*");
    add(context, "fast", "/fast/*", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        write(resp, 200, String.valueOf(req.getAttribute(PRIORITY_ATTRIBUTE)));
      }
    });
    add(context, "sleep", "/sleep", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        enter(req);
        try {
          awaitUninterruptibly(gate);
          sleep(50); // the service time of the request
        } finally {
          leave(req);
        }
        write(resp, 200, "slept");
      }
    });
    add(context, "async-complete", "/async/complete", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) {
        enter(req);
        AsyncContext async = req.startAsync();
        async.setTimeout(60_000);
        workers.execute(() -> {
          try {
            hold();
            leave(req);
            write((HttpServletResponse) async.getResponse(), 200, "completed on a worker");
          } catch (IOException e) {
            // the client went away
          } finally {
            async.complete();
          }
        });
      }
    });
    add(context, "async-dispatch", "/async/dispatch", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getAttribute(DISPATCHED) != null) {
          write(resp, 200, "dispatched back on " + req.getDispatcherType());
          return;
        }
        enter(req);
        AsyncContext async = req.startAsync();
        async.setTimeout(60_000);
        workers.execute(() -> {
          hold();
          leave(req);
          req.setAttribute(DISPATCHED, Boolean.TRUE);
          async.dispatch();
        });
      }
    });
    add(context, "async-dispatch-now", "/async/dispatch-now", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getAttribute(DISPATCHED) == null) {
          req.setAttribute(DISPATCHED, Boolean.TRUE);
          req.startAsync().dispatch(); // before this pass returns: the container holds it back
          return;
        }
        enter(req);
        try {
          hold();
        } finally {
          leave(req);
        }
        write(resp, 200, "dispatched before the first pass returned");
      }
    });
    add(context, "async-complete-now", "/async/complete-now", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AsyncContext async = req.startAsync();
        write(resp, 200, "completed before the pass returned");
        async.complete(); // the container finishes the response once this pass returns
      }
    });
    add(context, "async-unwrapped", "/async/unwrapped", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) {
        ServletRequest original = req;
        while (original instanceof ServletRequestWrapper) {
          original = ((ServletRequestWrapper) original).getRequest();
        }
        enter(req);
        AsyncContext async = original.startAsync(); // around every wrapper, the filter's too
        workers.execute(() -> {
          try {
            hold();
            leave(req);
            write((HttpServletResponse) async.getResponse(), 200, "unwrapped");
          } catch (IOException e) {
            // the client went away
          } finally {
            async.complete();
          }
        });
      }
    });
    add(context, "async-timeout", "/async/timeout", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) {
        req.startAsync().setTimeout(200);
      }
    });
    add(context, "async-throw", "/async/throw", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) {
        req.startAsync();
        throw new IllegalStateException("the application failed after going async");
      }
    });
    add(context, "fail", "/fail/*", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        switch (req.getPathInfo()) {
          case "/503":
            resp.sendError(503);
            return;
          case "/500":
            write(resp, 500, "the application answered 500");
            return;
          default:
            throw new IllegalStateException("the application failed");
        }
      }
    });
    add(context, "soak", "/soak/*", new Servlet() {
      @Override
      void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        soak(req, resp);
      }
    });
  }

  /**
   * One request of the soak. {@code ?fail=throw} throws, {@code ?fail=503} answers 503 itself,
   * {@code ?async} completes on a worker thread; anything else answers at once, after a little
   * work.
   */
  private void soak(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String fail = req.getParameter("fail");
    enter(req);
    boolean handedOff = false;
    try {
      if ("throw".equals(fail)) {
        throw new IllegalStateException("a soak failure");
      }
      if ("503".equals(fail)) {
        resp.sendError(503, "the application is overloaded");
        return;
      }
      if (req.getParameter("async") != null) {
        AsyncContext async = req.startAsync();
        async.setTimeout(30_000);
        handedOff = true; // the work, and its place in the count, go on after this pass
        async.start(() -> {
          try {
            sleep(ThreadLocalRandom.current().nextInt(2));
            runningLimitedOrNot(req, -1);
            write((HttpServletResponse) async.getResponse(), 200, "async ok");
          } catch (IOException e) {
            // the client went away
          } finally {
            async.complete();
          }
        });
        return;
      }
      sleep(ThreadLocalRandom.current().nextInt(2));
      write(resp, 200, "ok");
    } finally {
      if (handedOff) {
        running.decrementAndGet();
      } else {
        leave(req);
      }
    }
  }

  private void enter(HttpServletRequest req) {
    entered.incrementAndGet();
    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    runningLimitedOrNot(req, +1);
  }

  private void leave(HttpServletRequest req) {
    runningLimitedOrNot(req, -1);
    running.decrementAndGet();
  }

  private void runningLimitedOrNot(HttpServletRequest req, int delta) {
    if (req.getAttribute(PRIORITY_ATTRIBUTE) != Priority.CRITICAL) {
      int now = runningLimited.addAndGet(delta);
      maxRunningLimited.accumulateAndGet(now, Math::max);
    }
  }

  private void hold() {
    try {
      if (!finish.tryAcquire(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never let a held request finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never opened the gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void write(HttpServletResponse resp, int status, String body) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/plain;charset=UTF-8");
    resp.getOutputStream().write((body + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void add(ServletContext context, String name, String mapping, Servlet servlet) {
    ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
    registration.setAsyncSupported(true);
    registration.addMapping(mapping);
  }

  /** A servlet for every method, with checked exceptions narrowed to what tests throw. */
  private abstract static class Servlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp)
        throws ServletException, IOException {
      handle(req, resp);
    }

    abstract void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException;
  }
}
