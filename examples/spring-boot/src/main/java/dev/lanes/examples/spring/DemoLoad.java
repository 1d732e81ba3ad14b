package dev.lanes.examples.spring;

import dev.lanes.spring.LanesEndpoint;
import dev.lanes.spring.LanesEndpoint.LaneDescriptor;
import dev.lanes.spring.LanesEndpoint.PriorityDescriptor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;

/**
 * Once the service is up: closed-loop clients call {@code /record/{n}} for a few seconds, then
 * the demo prints what the clients got and what the {@code lanes} endpoint shows. Set
 * {@code demo.load-seconds=0} to only serve, {@code demo.exit=true} to stop after the report.
 */
@Component
public class DemoLoad implements ApplicationRunner {

  private final ConfigurableApplicationContext context;
  private final LanesEndpoint lanes;
  private final Reindex reindex;
  private final int seconds;
  private final int clients;
  private final boolean exit;

  public DemoLoad(ConfigurableApplicationContext context, LanesEndpoint lanes, Reindex reindex,
      @Value("${demo.load-seconds:5}") int seconds, @Value("${demo.clients:64}") int clients,
      @Value("${demo.exit:false}") boolean exit) {
    this.context = context;
    this.lanes = lanes;
    this.reindex = reindex;
    this.seconds = seconds;
    this.clients = clients;
    this.exit = exit;
  }

  @Override
  public void run(ApplicationArguments args) throws Exception {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    String base = "http://127.0.0.1:" + port;
    if (seconds > 0) {
      offerLoad(base);
    }
    if (exit) {
      return; // main closes the application
    }
    System.out.printf(Locale.ROOT, "%nServing on %s. Try:%n  curl %s/record/7%n"
        + "  curl %s/actuator/lanes%n  curl %s/actuator/prometheus | grep ^lanes_limit%n"
        + "Stop with Ctrl-C.%n", base, base, base, base);
  }

  private void offerLoad(String base) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    AtomicLong ok = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long scannedBefore = reindex.bytes();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    for (int c = 0; c < clients; c++) {
      SplittableRandom random = new SplittableRandom(c);
      pool.execute(() -> {
        while (System.nanoTime() < end) {
          HttpRequest request = HttpRequest.newBuilder(
                  URI.create(base + "/record/" + random.nextInt(1 << 20)))
              .timeout(Duration.ofSeconds(5)).build();
          try {
            int status = http.send(request, BodyHandlers.discarding()).statusCode();
            (status == 200 ? ok : status == 503 ? refused : failed).incrementAndGet();
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(seconds + 30L, TimeUnit.SECONDS);
    double scanned = (reindex.bytes() - scannedBefore) / (1024.0 * 1024 * seconds);
    System.out.printf(Locale.ROOT, "%n%d clients for %d s: %d answered 200, %d refused with 503"
            + " (Retry-After), %d failed; the reindex scanned %.1f MiB/s.%n%n",
        clients, seconds, ok.get(), refused.get(), failed.get(), scanned);
    print(lanes.lanes().lanes());
  }

  /** The lanes as /actuator/lanes shows them, one line each. */
  private static void print(Map<String, LaneDescriptor> all) {
    System.out.printf(Locale.ROOT, "%-22s %-13s %6s %9s %9s %9s %13s %13s%n", "lane", "device",
        "limit", "admitted", "refused", "waiting", "normal p99", "backgr. p99");
    List<String> names = new ArrayList<>(all.keySet());
    for (String name : names) {
      LaneDescriptor lane = all.get(name);
      PriorityDescriptor normal = lane.priorities().get("normal");
      PriorityDescriptor background = lane.priorities().get("background");
      long admitted = 0;
      long refused = 0;
      for (PriorityDescriptor p : lane.priorities().values()) {
        admitted += p.admitted();
        refused += p.rejected();
      }
      System.out.printf(Locale.ROOT, "%-22s %-13s %6d %9d %9d %9d %13s %13s%n", name,
          lane.device() == null ? "-" : lane.device().deviceClass(), lane.limit(), admitted,
          refused, lane.waiting(), millis(normal.p99MsSinceStart()),
          millis(background.p99MsSinceStart()));
    }
  }

  private static String millis(Double ms) {
    return ms == null ? "-" : String.format(Locale.ROOT, "%.2f ms", ms);
  }
}
