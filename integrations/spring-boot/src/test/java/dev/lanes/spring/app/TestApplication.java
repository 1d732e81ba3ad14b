package dev.lanes.spring.app;

import dev.lanes.registry.LaneRegistry;
import io.github.resilience4j.bulkhead.annotation.Bulkhead;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A small service for {@code LanesApplicationTest}: a slow endpoint the test holds, and a bulkhead. */
@SpringBootApplication
public class TestApplication {

  /** Holds {@code /slow} until the test lets it go. */
  @Component
  public static class Gate {
    private volatile CountDownLatch entered = new CountDownLatch(1);
    private volatile CountDownLatch release = new CountDownLatch(1);

    public void reset() {
      entered = new CountDownLatch(1);
      release = new CountDownLatch(1);
    }

    public boolean awaitEntered() throws InterruptedException {
      return entered.await(30, TimeUnit.SECONDS);
    }

    public void release() {
      release.countDown();
    }

    void pass() throws InterruptedException {
      entered.countDown();
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the gate");
      }
    }
  }

  /** A call to a downstream, bounded by Resilience4j's annotation. */
  @Service
  public static class Payments {
    private final LaneRegistry lanes;

    public Payments(LaneRegistry lanes) {
      this.lanes = lanes;
    }

    /** Returns how many calls the lane of the bulkhead's name had in flight during this one. */
    @Bulkhead(name = "payments-api")
    public int charge() {
      return lanes.named("payments-api").inFlight();
    }
  }

  @RestController
  public static class Endpoints {
    private final Gate gate;
    private final Payments payments;

    public Endpoints(Gate gate, Payments payments) {
      this.gate = gate;
      this.payments = payments;
    }

    @GetMapping("/slow")
    public String slow() throws InterruptedException {
      gate.pass();
      return "done";
    }

    @GetMapping("/pay")
    public String pay() {
      return "in flight on payments-api: " + payments.charge();
    }
  }
}
