package dev.lanes.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lanes.LaneRejectedException;
import dev.lanes.Priority;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real native library: {@link Deflater} calls zlib through JNI. Each worker owns one Deflater,
 * made by threadInit in a thread-local and ended by threadTeardown, the way a library with
 * thread-affine state is used.
 */
class NativeLaneTest {

  private static final ThreadLocal<Deflater> DEFLATER = new ThreadLocal<>();

  private final AtomicInteger inits = new AtomicInteger();
  private final AtomicInteger teardowns = new AtomicInteger();
  private final Set<Thread> initialised = ConcurrentHashMap.newKeySet();
  private NativeLane zlib;

  private NativeLane.Builder builder() {
    return NativeLane.builder("zlib").threads(3)
        .lane(lane -> lane.algorithm((w, l) -> l).maxWait(Duration.ofMinutes(1)))
        .threadInit(() -> {
          DEFLATER.set(new Deflater(Deflater.BEST_SPEED));
          initialised.add(Thread.currentThread());
          inits.incrementAndGet();
        })
        .threadTeardown(() -> {
          DEFLATER.get().end();
          DEFLATER.remove();
          teardowns.incrementAndGet();
        });
  }

  /** Compresses on the calling worker with the Deflater its threadInit made. */
  private static byte[] compress(byte[] data) {
    Deflater deflater = DEFLATER.get();
    if (deflater == null) {
      throw new IllegalStateException("no Deflater on " + Thread.currentThread().getName());
    }
    deflater.reset();
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    return out.toByteArray();
  }

  private static byte[] inflate(byte[] compressed, int length) throws DataFormatException {
    Inflater inflater = new Inflater();
    inflater.setInput(compressed);
    byte[] out = new byte[length];
    inflater.inflate(out);
    inflater.end();
    return out;
  }

  @AfterEach
  void close() throws InterruptedException {
    if (zlib != null) {
      NativeLaneTesting.closeWithin(zlib, Duration.ofSeconds(30));
    }
  }

  @Test
  void runsCallsOnWorkersThatSeeTheirThreadInit() throws Exception {
    zlib = builder().build();
    byte[] text = "lanes ".repeat(10_000).getBytes(StandardCharsets.UTF_8);
    Set<String> workerNames = ConcurrentHashMap.newKeySet();
    List<Thread> callers = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (int c = 0; c < 8; c++) {
      Thread caller = new Thread(() -> {
        for (int i = 0; i < 50; i++) {
          try {
            byte[] packed = zlib.call(Priority.NORMAL, () -> {
              workerNames.add(Thread.currentThread().getName());
              assertThat(initialised).contains(Thread.currentThread());
              return compress(text);
            });
            assertThat(inflate(packed, text.length)).isEqualTo(text);
          } catch (Throwable t) {
            failures.add(t);
          }
        }
      });
      callers.add(caller);
      caller.start();
    }
    for (Thread caller : callers) {
      caller.join();
    }
    assertThat(failures).isEmpty();
    assertThat(workerNames).allMatch(n -> n.startsWith("lanes-native-zlib-"));
    assertThat(workerNames.size()).isBetween(1, 4);
    assertThat(zlib.threads()).isEqualTo(3);
    assertThat(zlib.criticalThreads()).isEqualTo(1);
    assertThat(zlib.lane().limit()).isLessThanOrEqualTo(3);
    assertThat(zlib.lane().inFlight()).isZero();
    assertThat(zlib.lane().snapshot().completed(Priority.NORMAL)).isEqualTo(400);
    assertThat(inits.get()).as("3 workers for the limit, 1 for CRITICAL calls").isEqualTo(4);
  }

  @Test
  void aFailureThatRetiresTheWorkerReplacesIt() throws Exception {
    zlib = builder().build();
    assertThatThrownBy(() -> zlib.call(Priority.NORMAL, () -> {
      throw new InternalError("simulated crash in native code");
    })).isInstanceOf(InternalError.class).hasMessageContaining("simulated crash");
    await().until(() -> inits.get() == 5 && teardowns.get() == 1);
    assertThat(zlib.retiredWorkers()).isEqualTo(1);
    // An ordinary exception does not retire anyone.
    assertThatThrownBy(() -> zlib.call(Priority.NORMAL, () -> {
      throw new DataFormatException("bad input");
    })).isInstanceOf(DataFormatException.class);
    assertThat(zlib.retiredWorkers()).isEqualTo(1);
    // Every worker, the fresh one included, still serves.
    for (int i = 0; i < 30; i++) {
      assertThat(zlib.call(Priority.NORMAL, () -> compress(new byte[100]))).isNotEmpty();
    }
    assertThat(zlib.lane().inFlight()).isZero();
  }

  @Test
  void submitRunsAsynchronouslyAndCancelWithdrawsAWaitingCall() throws Exception {
    zlib = builder().threads(1).build();
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> blocker = zlib.submit(Priority.NORMAL, () -> {
      release.await();
      return "done";
    });
    await().until(() -> zlib.lane().inFlight() == 1);
    CompletableFuture<byte[]> waiting = zlib.submit(Priority.BACKGROUND, () -> compress(new byte[8]));
    await().until(() -> zlib.lane().snapshot().waiting(Priority.BACKGROUND) == 1);
    waiting.cancel(false);
    assertThat(zlib.lane().snapshot().waiting()).isZero();
    release.countDown();
    assertThat(blocker.get()).isEqualTo("done");
    assertThatThrownBy(waiting::join).isInstanceOf(CancellationException.class);
    await().until(() -> zlib.lane().inFlight() == 0);
  }

  @Test
  void closeFinishesRunningCallsFailsQueuedOnesAndJoinsTheWorkers() throws Exception {
    zlib = builder().threads(1).build();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> inFlight = zlib.submit(Priority.NORMAL, () -> {
      running.countDown();
      release.await();
      return "finished";
    });
    running.await();
    CompletableFuture<String> queued = zlib.submit(Priority.NORMAL, () -> "never");
    await().until(() -> zlib.lane().snapshot().waiting() == 1);

    Thread closer = new Thread(zlib::close);
    closer.start();
    assertThatThrownBy(queued::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(LaneRejectedException.class);
    release.countDown();
    closer.join();
    assertThat(inFlight.get()).isEqualTo("finished");
    assertThat(teardowns.get()).as("every worker whose init ran").isEqualTo(inits.get());
    assertThatThrownBy(() -> zlib.call(Priority.CRITICAL, () -> "late"))
        .isInstanceOfSatisfying(LaneRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(LaneRejectedException.Reason.CLOSED));
  }

  @Test
  void threadsFollowTheProfile() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(NativeProfile.CPU_BOUND.threads()).isEqualTo(cores);
    assertThat(NativeProfile.IO_BOUND.threads()).isEqualTo(4 * cores);
    zlib = NativeLane.builder("io-lib").profile(NativeProfile.IO_BOUND)
        .lane(lane -> lane.algorithm((w, l) -> l).limits(1, 1000, 1000)).build();
    assertThat(zlib.threads()).isEqualTo(4 * cores);
    assertThat(zlib.lane().limit()).as("never more than the workers").isEqualTo(4 * cores);
    assertThatThrownBy(() -> NativeLane.builder("x").threads(0))
        .hasMessageContaining("threads").hasMessageContaining("0");
  }
}
