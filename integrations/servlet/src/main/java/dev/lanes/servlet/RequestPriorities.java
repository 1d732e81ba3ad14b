package dev.lanes.servlet;

import dev.lanes.Priority;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Ways to give a request its {@link Priority} that a client cannot abuse: from what the server
 * itself decided (a request attribute, the path, the user's role), or from a header that only a
 * trusted proxy may set.
 *
 * <pre>{@code
 * LaneFilter filter = LaneFilter.builder(lane)
 *     .priority(RequestPriorities.rules()
 *         .path("/admin/*", Priority.CRITICAL)
 *         .role("batch", Priority.BACKGROUND)
 *         .path("/reports/*", Priority.BACKGROUND)
 *         .otherwise(RequestPriorities.fromHeader("X-Priority", "10.0.0.0/8", "fd00::/8")))
 *     .build();
 * }</pre>
 *
 * <p>Every classifier here answers {@link Priority#NORMAL} for anything it cannot read: a missing
 * value, an unknown or oversized one, garbage, or a header from a peer that is not trusted. None
 * of them throws, so a bad value never becomes an error page.
 *
 * <p>Keep in mind what each source trusts. The path and the role are the server's own reading of
 * the request, but a client still chooses which path it calls: give {@code CRITICAL}, which
 * bypasses the limit, only to paths that are cheap or that only operators can reach. A header is
 * honoured only from a trusted proxy, and that proxy must overwrite it on every request, not
 * pass on what the client sent.
 */
public final class RequestPriorities {

  /** Longer values are not a priority name, so they are not parsed at all. */
  private static final int MAX_VALUE_LENGTH = 16;

  private RequestPriorities() {}

  /**
   * The priority an earlier filter or the application stored in the request attribute
   * {@code attribute}: a {@link Priority}, or a {@code String} naming one (in any case).
   * Attributes are set by server code, never by the client, so this is the safest way for, say,
   * an authentication filter to mark a request.
   *
   * <pre>{@code
   * request.setAttribute("lanes.priority", Priority.BACKGROUND);   // in an earlier filter
   * LaneFilter.builder(lane).priority(RequestPriorities.fromAttribute("lanes.priority"));
   * }</pre>
   */
  public static Function<HttpServletRequest, Priority> fromAttribute(String attribute) {
    Objects.requireNonNull(attribute, "attribute");
    if (attribute.isBlank()) {
      throw new IllegalArgumentException("attribute must not be blank");
    }
    return named("attribute " + attribute, request -> {
      Object value = request.getAttribute(attribute);
      if (value instanceof Priority) {
        return (Priority) value;
      }
      return value instanceof String ? parse((String) value) : Priority.NORMAL;
    });
  }

  /**
   * The priority named in the header {@code header} ({@code CRITICAL}, {@code NORMAL} or
   * {@code BACKGROUND}, in any case), honoured only when the immediate peer
   * ({@code getRemoteAddr()}) is inside one of {@code trustedProxies}. From any other peer the
   * header is ignored and the request is {@code NORMAL}, so a client cannot raise its own
   * priority, let alone reach {@code CRITICAL}. A header sent more than once is ignored too.
   *
   * <pre>{@code
   * // nginx in front, on 10.0.0.0/8, with: proxy_set_header X-Priority $lanes_priority;
   * RequestPriorities.fromHeader("X-Priority", "10.0.0.0/8", "fd00::/8");
   * }</pre>
   *
   * <p>If the container replaces {@code getRemoteAddr()} with an address from
   * {@code X-Forwarded-For} (Tomcat's {@code RemoteIpValve}, Jetty's
   * {@code ForwardedRequestCustomizer}), the peer seen here is whatever those trust, so configure
   * them as strictly as this list.
   *
   * @param trustedProxies IPv4 or IPv6 blocks ({@code 10.0.0.0/8}, {@code fd00::/8}) or single
   *     addresses; {@code 0.0.0.0/0} and {@code ::/0} trust every peer
   * @throws IllegalArgumentException naming the block, if one does not parse, has bits set past
   *     its prefix, or none is given
   */
  public static Function<HttpServletRequest, Priority> fromHeader(
      String header, String... trustedProxies) {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(trustedProxies, "trustedProxies");
    if (header.isBlank()) {
      throw new IllegalArgumentException("header must not be blank");
    }
    if (trustedProxies.length == 0) {
      throw new IllegalArgumentException("fromHeader(\"" + header + "\") needs at least one"
          + " trusted proxy block: without one the header would never be read");
    }
    List<Cidr> trusted = new ArrayList<>(trustedProxies.length);
    for (String block : trustedProxies) {
      try {
        trusted.add(Cidr.parse(block));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("trustedProxies: " + e.getMessage(), e);
      }
    }
    List<Cidr> blocks = List.copyOf(trusted);
    return named("header " + header + " from " + blocks, request -> {
      if (!isInside(request.getRemoteAddr(), blocks)) {
        return Priority.NORMAL;
      }
      Enumeration<String> values = request.getHeaders(header);
      if (values == null || !values.hasMoreElements()) {
        return Priority.NORMAL;
      }
      String value = values.nextElement();
      return values.hasMoreElements() ? Priority.NORMAL : parse(value);
    });
  }

  /**
   * Caps {@code classifier} at {@code highest}: anything more urgent than {@code highest} is
   * lowered to it. For example, let a proxy mark requests {@code BACKGROUND} but never
   * {@code CRITICAL}:
   *
   * <pre>{@code
   * RequestPriorities.noHigherThan(Priority.NORMAL, RequestPriorities.fromHeader("X-Priority", "10.0.0.0/8"));
   * }</pre>
   */
  public static Function<HttpServletRequest, Priority> noHigherThan(
      Priority highest, Function<HttpServletRequest, Priority> classifier) {
    Objects.requireNonNull(highest, "highest");
    Objects.requireNonNull(classifier, "classifier");
    return named("at most " + highest + " of " + classifier, request -> {
      Priority p = classifier.apply(request);
      if (p == null) {
        p = Priority.NORMAL;
      }
      return p.ordinal() < highest.ordinal() ? highest : p; // CRITICAL has the lowest ordinal
    });
  }

  /**
   * An empty list of rules: every request is {@code NORMAL} until rules are added. Rules are
   * tried in the order they were added, and the first that matches decides.
   */
  public static Rules rules() {
    return new Rules(List.of(), request -> Priority.NORMAL);
  }

  /**
   * Rules that give a request its priority from its path, its user's role or any test, tried in
   * order; the first match decides, and {@link #otherwise} decides the rest ({@code NORMAL} by
   * default). Immutable: each method returns new rules.
   *
   * <pre>{@code
   * Function<HttpServletRequest, Priority> priorities = RequestPriorities.rules()
   *     .path("/health", Priority.CRITICAL)
   *     .path("/export/*", Priority.BACKGROUND)
   *     .role("ops", Priority.CRITICAL)
   *     .when(request -> "DELETE".equals(request.getMethod()), Priority.BACKGROUND)
   *     .otherwise(RequestPriorities.fromAttribute("lanes.priority"));
   * }</pre>
   */
  public static final class Rules implements Function<HttpServletRequest, Priority> {

    private final List<Rule> rules;
    private final Function<HttpServletRequest, Priority> otherwise;

    private Rules(List<Rule> rules, Function<HttpServletRequest, Priority> otherwise) {
      this.rules = rules;
      this.otherwise = otherwise;
    }

    /**
     * Requests whose path matches {@code pattern} ({@code /exact}, {@code /prefix/*} or
     * {@code *.extension}; see {@link RequestPaths}) get {@code priority}.
     */
    public Rules path(String pattern, Priority priority) {
      return when(RequestPaths.matching(pattern), priority, "path " + pattern);
    }

    /**
     * Requests of a user in {@code role} ({@link HttpServletRequest#isUserInRole}, as
     * authenticated by the container) get {@code priority}.
     */
    public Rules role(String role, Priority priority) {
      Objects.requireNonNull(role, "role");
      return when(request -> request.isUserInRole(role), priority, "role " + role);
    }

    /** Requests that pass {@code test} get {@code priority}. */
    public Rules when(Predicate<? super HttpServletRequest> test, Priority priority) {
      Objects.requireNonNull(test, "test");
      return when(test, priority, test.toString());
    }

    /** Decides the requests that no rule matches; {@code NORMAL} unless set. */
    public Rules otherwise(Function<HttpServletRequest, Priority> fallback) {
      return new Rules(rules, Objects.requireNonNull(fallback, "fallback"));
    }

    @Override
    public Priority apply(HttpServletRequest request) {
      for (Rule rule : rules) {
        if (rule.test.test(request)) {
          return rule.priority;
        }
      }
      Priority p = otherwise.apply(request);
      return p == null ? Priority.NORMAL : p;
    }

    @Override
    public String toString() {
      return "rules " + rules + ", otherwise " + otherwise;
    }

    private Rules when(Predicate<? super HttpServletRequest> test, Priority priority,
        String description) {
      Objects.requireNonNull(priority, "priority");
      List<Rule> more = new ArrayList<>(rules);
      more.add(new Rule(test, priority, description));
      return new Rules(List.copyOf(more), otherwise);
    }
  }

  private static final class Rule {
    final Predicate<? super HttpServletRequest> test;
    final Priority priority;
    final String description;

    Rule(Predicate<? super HttpServletRequest> test, Priority priority, String description) {
      this.test = test;
      this.priority = priority;
      this.description = description;
    }

    @Override
    public String toString() {
      return description + " -> " + priority;
    }
  }

  /** A priority's name in any case, with surrounding blanks; NORMAL for anything else. */
  static Priority parse(String value) {
    if (value == null || value.length() > MAX_VALUE_LENGTH) {
      return Priority.NORMAL;
    }
    switch (value.trim().toUpperCase(Locale.ROOT)) {
      case "CRITICAL":
        return Priority.CRITICAL;
      case "BACKGROUND":
        return Priority.BACKGROUND;
      default:
        return Priority.NORMAL;
    }
  }

  static boolean isInside(String remoteAddr, List<Cidr> blocks) {
    byte[] peer = Cidr.parseAddress(remoteAddr);
    if (peer == null) {
      return false;
    }
    for (Cidr block : blocks) {
      if (block.contains(peer)) {
        return true;
      }
    }
    return false;
  }

  private static Function<HttpServletRequest, Priority> named(
      String description, Function<HttpServletRequest, Priority> classifier) {
    return new Function<>() {
      @Override
      public Priority apply(HttpServletRequest request) {
        return classifier.apply(request);
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }
}
