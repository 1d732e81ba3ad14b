package dev.lanes.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.algorithms.FixedLimit;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two bulkheads on one lane, one for requests and one for a background scan: a request is never
 * held behind the scan, whether the scan is running or waiting.
 */
class PriorityBulkheadTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Lane lane = Lane.builder("disk").algorithm(new FixedLimit()).limits(1, 4, 64)
      .backgroundReserve(1).maxWait(PATIENCE).build();
  private final LaneBulkhead requests = LaneBulkhead.of("disk", lane, Priority.NORMAL);
  private final LaneBulkhead scan = LaneBulkhead.of("disk-scan", lane, Priority.BACKGROUND);
  private final CountDownLatch finish = new CountDownLatch(1);
  private final List<String> started = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    finish.countDown();
    threads.shutdownNow();
    assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  /** Starts a call through {@code bulkhead} that holds its permit until the test finishes it. */
  private Future<String> call(Bulkhead bulkhead, String name, CountDownLatch done) {
    return threads.submit(() -> Bulkhead.decorateCallable(bulkhead, () -> {
      started.add(name);
      done.await(30, TimeUnit.SECONDS);
      return name;
    }).call());
  }

  @Test
  void aRequestGoesAheadOfAWaitingScanAndTakesTheSlotTheScanMayNot() throws Exception {
    CountDownLatch scansDone = new CountDownLatch(1);
    List<Future<String>> scans = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      scans.add(call(scan, "scan-" + i, scansDone));
    }
    await().atMost(PATIENCE).until(() -> started.size() == 3);
    assertThat(scan.getMetrics().getAvailableConcurrentCalls()).as("the reserve is left").isZero();
    assertThat(requests.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);

    Future<String> waitingScan = call(scan, "scan-waiting", finish);
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting(Priority.BACKGROUND) == 1);

    // The reserve is the request's at once, with a scan already waiting for a slot.
    CountDownLatch firstDone = new CountDownLatch(1);
    Future<String> first = call(requests, "request-1", firstDone);
    await().atMost(PATIENCE).until(() -> started.contains("request-1"));
    assertThat(lane.inFlight()).isEqualTo(4);

    // The lane is full now. A request that arrives after the waiting scan still goes first.
    Future<String> second = call(requests, "request-2", finish);
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting(Priority.NORMAL) == 1);
    firstDone.countDown();
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("request-1");
    await().atMost(PATIENCE).until(() -> started.contains("request-2"));
    assertThat(started).doesNotContain("scan-waiting");
    assertThat(waitingScan).isNotDone();

    // Only once no request waits does the scan get a slot again.
    scansDone.countDown();
    for (Future<String> s : scans) {
      s.get(30, TimeUnit.SECONDS);
    }
    await().atMost(PATIENCE).until(() -> started.contains("scan-waiting"));
    finish.countDown();
    assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo("request-2");
    assertThat(waitingScan.get(30, TimeUnit.SECONDS)).isEqualTo("scan-waiting");
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void underAFloodOfScansEveryRequestIsServedBeforeTheScansWaitingWithIt() throws Exception {
    scan.changeConfig(BulkheadConfig.from(scan.getBulkheadConfig())
        .maxWaitDuration(PATIENCE).build());
    CountDownLatch holdersDone = new CountDownLatch(1);
    List<Future<String>> holders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      holders.add(call(requests, "holder-" + i, holdersDone));
    }
    await().atMost(PATIENCE).until(() -> lane.inFlight() == 4);

    AtomicInteger scansRun = new AtomicInteger();
    List<Future<String>> waitingScans = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waitingScans.add(threads.submit(() -> scan.executeSupplier(() -> {
        scansRun.incrementAndGet();
        return "scan";
      })));
    }
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting(Priority.BACKGROUND) == 10);
    // Three requests arrive after the ten scans, and hold their permits once they get them.
    CountDownLatch requestsDone = new CountDownLatch(1);
    List<Integer> scansSeenByRequests = new CopyOnWriteArrayList<>();
    List<Future<String>> waitingRequests = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waitingRequests.add(threads.submit(() -> requests.executeCallable(() -> {
        scansSeenByRequests.add(scansRun.get());
        requestsDone.await(30, TimeUnit.SECONDS);
        return "request";
      })));
    }
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting(Priority.NORMAL) == 3);

    holdersDone.countDown();
    await().atMost(PATIENCE).until(() -> scansSeenByRequests.size() == 3);
    assertThat(scansSeenByRequests).as("every freed permit went to a request").containsOnly(0);
    assertThat(lane.snapshot().waiting(Priority.BACKGROUND)).isEqualTo(10);
    assertThat(scansRun).as("3 requests in flight leave no slack below the reserve").hasValue(0);

    requestsDone.countDown();
    for (Future<String> request : waitingRequests) {
      assertThat(request.get(30, TimeUnit.SECONDS)).isEqualTo("request");
    }
    for (Future<String> s : waitingScans) {
      assertThat(s.get(30, TimeUnit.SECONDS)).isEqualTo("scan");
    }
    for (Future<String> h : holders) {
      h.get(30, TimeUnit.SECONDS);
    }
    assertThat(scansRun).hasValue(10);
    assertThat(lane.inFlight()).isZero();
  }
}
