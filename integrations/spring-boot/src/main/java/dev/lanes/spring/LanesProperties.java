package dev.lanes.spring;

import dev.lanes.QueueOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code lanes.*} properties: defaults for every lane, settings for lanes by name, and the
 * servlet filter.
 *
 * <pre>{@code
 * lanes:
 *   defaults:
 *     algorithm: gradient
 *     max-wait: 200ms
 *   lanes:
 *     payments-api:
 *       limits: { min: 2, initial: 10, max: 50 }
 *       background-reserve: 2
 *       queue-order: lifo
 *   servlet:
 *     enabled: true
 *     lane: http
 *     bypass: ["/actuator/health/**"]
 * }</pre>
 *
 * <p>Values are checked when the application starts; a bad one stops it with a message that
 * names the property.
 */
@ConfigurationProperties("lanes")
public class LanesProperties {

  /** Whether to create the lane registry and everything that uses it. */
  private boolean enabled = true;

  /** Settings every lane starts from: named lanes, device lanes and native-library lanes. */
  private final Defaults defaults = new Defaults();

  /**
   * Named lanes, the ones LaneRegistry.named(name) returns, by name; each is created at start-up
   * with these settings on top of the defaults.
   */
  private final Map<String, LaneSettings> lanes = new LinkedHashMap<>();

  /** The servlet filter that puts a lane in front of the application's requests. */
  private final Servlet servlet = new Servlet();

  /** Micrometer meters for every lane. */
  private final Metrics metrics = new Metrics();

  /** Resilience4j's BulkheadRegistry on lanes. */
  private final Resilience4j resilience4j = new Resilience4j();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Defaults getDefaults() {
    return defaults;
  }

  public Map<String, LaneSettings> getLanes() {
    return lanes;
  }

  public Servlet getServlet() {
    return servlet;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public Resilience4j getResilience4j() {
    return resilience4j;
  }

  /** Settings every lane starts from. */
  public static class Defaults {

    /**
     * Limit algorithm of every lane: gradient, aimd, vegas, fixed, or any other registered
     * LimitAlgorithmProvider.
     */
    private String algorithm;

    /** How long a call waits for a permit before it is refused. */
    private Duration maxWait;

    /** How many calls may wait for a permit, all priorities together. */
    private Integer maxQueued;

    /** Which waiter of one priority a freed permit goes to. */
    private QueueOrder queueOrder;

    public String getAlgorithm() {
      return algorithm;
    }

    public void setAlgorithm(String algorithm) {
      this.algorithm = algorithm;
    }

    public Duration getMaxWait() {
      return maxWait;
    }

    public void setMaxWait(Duration maxWait) {
      this.maxWait = maxWait;
    }

    public Integer getMaxQueued() {
      return maxQueued;
    }

    public void setMaxQueued(Integer maxQueued) {
      this.maxQueued = maxQueued;
    }

    public QueueOrder getQueueOrder() {
      return queueOrder;
    }

    public void setQueueOrder(QueueOrder queueOrder) {
      this.queueOrder = queueOrder;
    }
  }

  /** Settings of one named lane; anything left out comes from the defaults. */
  public static class LaneSettings extends Defaults {

    /** Bounds and starting point of the lane's limit. */
    private Limits limits;

    /** Permits that BACKGROUND calls may never take. */
    private Integer backgroundReserve;

    /** Hard cap on the calls in flight, CRITICAL ones included. */
    private Integer criticalCeiling;

    public Limits getLimits() {
      return limits;
    }

    public void setLimits(Limits limits) {
      this.limits = limits;
    }

    public Integer getBackgroundReserve() {
      return backgroundReserve;
    }

    public void setBackgroundReserve(Integer backgroundReserve) {
      this.backgroundReserve = backgroundReserve;
    }

    public Integer getCriticalCeiling() {
      return criticalCeiling;
    }

    public void setCriticalCeiling(Integer criticalCeiling) {
      this.criticalCeiling = criticalCeiling;
    }
  }

  /** Bounds and starting point of a limit; all three must be given together. */
  public static class Limits {

    /** Lowest limit the algorithm may set; at least 1. */
    private Integer min;

    /** Limit the lane starts at; within [min, max]. */
    private Integer initial;

    /** Highest limit the algorithm may set. */
    private Integer max;

    public Integer getMin() {
      return min;
    }

    public void setMin(Integer min) {
      this.min = min;
    }

    public Integer getInitial() {
      return initial;
    }

    public void setInitial(Integer initial) {
      this.initial = initial;
    }

    public Integer getMax() {
      return max;
    }

    public void setMax(Integer max) {
      this.max = max;
    }
  }

  /** The servlet filter. */
  public static class Servlet {

    /** Whether to put a lane in front of the application's requests (servlet web apps only). */
    private boolean enabled;

    /** Lane of every request that no route matches; without it such requests are not limited. */
    private String lane;

    /** Lanes by request path, tried in order; the first whose pattern matches decides. */
    private List<Route> routes = new ArrayList<>();

    /**
     * Path patterns of requests that never wait for a lane, e.g. /actuator/health/**; Spring's
     * path-pattern syntax, matched against the path inside the application.
     */
    private List<String> bypass = new ArrayList<>();

    /**
     * Header that carries a request's priority (critical, normal or background); read only from
     * peers inside trusted-proxies, otherwise the request is normal.
     */
    private String priorityHeader;

    /** Address blocks (10.0.0.0/8, fd00::/8) whose requests may set the priority header. */
    private List<String> trustedProxies = new ArrayList<>();

    /** How long a request waits for a permit; the lane's max-wait when not set. */
    private Duration maxWait;

    /** Status of a refused request. */
    private int rejectStatus = 503;

    /**
     * Order of the filter in the chain. Last by default, so every other filter sees a request
     * first as a REQUEST dispatch, before a wait for a permit turns it into an ASYNC one.
     */
    private int order = Integer.MAX_VALUE;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getLane() {
      return lane;
    }

    public void setLane(String lane) {
      this.lane = lane;
    }

    public List<Route> getRoutes() {
      return routes;
    }

    public void setRoutes(List<Route> routes) {
      this.routes = routes;
    }

    public List<String> getBypass() {
      return bypass;
    }

    public void setBypass(List<String> bypass) {
      this.bypass = bypass;
    }

    public String getPriorityHeader() {
      return priorityHeader;
    }

    public void setPriorityHeader(String priorityHeader) {
      this.priorityHeader = priorityHeader;
    }

    public List<String> getTrustedProxies() {
      return trustedProxies;
    }

    public void setTrustedProxies(List<String> trustedProxies) {
      this.trustedProxies = trustedProxies;
    }

    public Duration getMaxWait() {
      return maxWait;
    }

    public void setMaxWait(Duration maxWait) {
      this.maxWait = maxWait;
    }

    public int getRejectStatus() {
      return rejectStatus;
    }

    public void setRejectStatus(int rejectStatus) {
      this.rejectStatus = rejectStatus;
    }

    public int getOrder() {
      return order;
    }

    public void setOrder(int order) {
      this.order = order;
    }
  }

  /** A lane for the requests whose path matches a pattern. */
  public static class Route {

    /** Spring path pattern, e.g. /reports/**, matched against the path inside the application. */
    private String pattern;

    /** Name of the lane the matching requests go through. */
    private String lane;

    public String getPattern() {
      return pattern;
    }

    public void setPattern(String pattern) {
      this.pattern = pattern;
    }

    public String getLane() {
      return lane;
    }

    public void setLane(String lane) {
      this.lane = lane;
    }
  }

  /** Micrometer meters. */
  public static class Metrics {

    /** Whether to bind every lane's meters when a MeterRegistry bean exists. */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** Resilience4j. */
  public static class Resilience4j {

    /**
     * Whether the BulkheadRegistry bean is a LaneBulkheadRegistry, so that a bulkhead named X runs
     * on the lane named X.
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
