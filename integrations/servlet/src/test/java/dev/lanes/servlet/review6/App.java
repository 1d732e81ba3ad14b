package dev.lanes.servlet.review6;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application behind the filter: every ordering is forced by a semaphore the test holds.
 *
 * <ul>
 *   <li>{@code /hold/*}: records its path info, waits for {@link #finish}, answers 200;
 *   <li>{@code /fast/*}: answers 200 at once;
 *   <li>{@code /fail/503}: answers 503 itself (overload seen by the application);
 *   <li>{@code /timeout-dispatch}: goes async with a 200 ms timeout; its own listener handles the
 *       timeout the usual way (Spring MVC does this) by dispatching back, and that second pass
 *       waits for {@link #finish} and answers 200.
 * </ul>
 */
final class App {

  private static final String TIMED_OUT = "review6.timedOut";

  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger maxRunning = new AtomicInteger();
  final List<String> entries = Collections.synchronizedList(new ArrayList<>());
  private final Semaphore finish = new Semaphore(0);

  void finish(int n) {
    finish.release(n);
  }

  void releaseAll() {
    finish.release(100_000);
  }

  void install(ServletContext context) {
    add(context, "/hold/*", new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp)
          throws IOException {
        entries.add(req.getPathInfo());
        hold();
        write(resp, 200, "held " + req.getPathInfo());
      }
    });
    add(context, "/fast/*", new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp)
          throws IOException {
        entries.add("fast" + req.getPathInfo());
        write(resp, 200, "fast");
      }
    });
    add(context, "/fail/*", new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp)
          throws IOException {
        entries.add("fail" + req.getPathInfo());
        resp.sendError(503);
      }
    });
    add(context, "/timeout-dispatch", new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp)
          throws IOException {
        if (req.getDispatcherType() == DispatcherType.ASYNC
            && req.getAttribute(TIMED_OUT) != null) {
          entries.add("after-timeout");
          hold();
          write(resp, 200, "served after its timeout");
          return;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(200);
        async.addListener(new AsyncListener() {
          @Override
          public void onTimeout(AsyncEvent event) {
            event.getAsyncContext().getRequest().setAttribute(TIMED_OUT, Boolean.TRUE);
            event.getAsyncContext().dispatch();
          }

          @Override
          public void onComplete(AsyncEvent event) {}

          @Override
          public void onError(AsyncEvent event) {}

          @Override
          public void onStartAsync(AsyncEvent event) {}
        });
      }
    });
  }

  private void hold() {
    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    try {
      if (!finish.tryAcquire(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never let a held request finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      running.decrementAndGet();
    }
  }

  static void write(HttpServletResponse resp, int status, String body) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/plain;charset=UTF-8");
    resp.getOutputStream().write((body + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void add(ServletContext context, String mapping, HttpServlet servlet) {
    ServletRegistration.Dynamic r = context.addServlet(mapping, servlet);
    r.setAsyncSupported(true);
    r.addMapping(mapping);
  }
}
