package dev.lanes.spring;

import dev.lanes.Lane;
import dev.lanes.registry.LaneRegistry;
import dev.lanes.servlet.LaneFilter;
import dev.lanes.servlet.RequestPriorities;
import dev.lanes.spring.LanesProperties.Route;
import dev.lanes.spring.LanesProperties.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * Builds the {@link LaneFilter} of the {@code lanes.servlet.*} properties: the lane of each
 * request from its path, the paths that bypass every lane, and the priority header. Every value
 * is checked first, so a bad one fails start-up naming its property.
 */
final class RequestRoutes {

  private static final String PREFIX = "lanes.servlet";

  private RequestRoutes() {}

  static LaneFilter filter(Servlet properties, LaneRegistry registry) {
    LaneFilter.Builder builder = LaneFilter.builder(laneForRequest(properties, registry));
    if (!properties.getBypass().isEmpty()) {
      builder.bypass(bypass(properties.getBypass()));
    }
    priority(properties, builder);
    Duration maxWait = properties.getMaxWait();
    if (maxWait != null) {
      if (maxWait.isNegative()) {
        throw new InvalidLanesPropertyException(PREFIX + ".max-wait", maxWait,
            "a wait must not be negative");
      }
      builder.maxWait(maxWait);
    }
    int status = properties.getRejectStatus();
    if (status < 400 || status > 599) {
      throw new InvalidLanesPropertyException(PREFIX + ".reject-status", status,
          "must be a 4xx or 5xx status, such as 503 or 429");
    }
    return builder.rejectStatus(status).build();
  }

  /** The lane of each request: the first route whose pattern matches, else the default lane. */
  private static Function<HttpServletRequest, Lane> laneForRequest(Servlet properties,
      LaneRegistry registry) {
    String defaultName = properties.getLane();
    List<Route> routes = properties.getRoutes();
    if ((defaultName == null || defaultName.isBlank()) && routes.isEmpty()) {
      throw new InvalidLanesPropertyException(PREFIX + ".lane", defaultName,
          "name the lane of every request, or give lanes.servlet.routes, or both");
    }
    if (defaultName != null && defaultName.isBlank()) {
      throw new InvalidLanesPropertyException(PREFIX + ".lane", defaultName,
          "a lane name must not be blank");
    }
    List<PathPattern> patterns = new ArrayList<>(routes.size());
    List<Lane> lanes = new ArrayList<>(routes.size());
    for (int i = 0; i < routes.size(); i++) {
      Route route = routes.get(i);
      String at = PREFIX + ".routes[" + i + "]";
      patterns.add(parse(at + ".pattern", route.getPattern()));
      if (route.getLane() == null || route.getLane().isBlank()) {
        throw new InvalidLanesPropertyException(at + ".lane", route.getLane(),
            "name the lane of the requests this route matches");
      }
      // Created now, so the lanes show in Actuator and metrics before the first request.
      lanes.add(registry.named(route.getLane()));
    }
    Lane fallback = defaultName == null ? null : registry.named(defaultName);
    return new Function<>() {
      @Override
      public Lane apply(HttpServletRequest request) {
        if (!patterns.isEmpty()) {
          PathContainer path = pathOf(request);
          for (int i = 0; i < patterns.size(); i++) {
            if (patterns.get(i).matches(path)) {
              return lanes.get(i);
            }
          }
        }
        return fallback;
      }

      @Override
      public String toString() {
        return "routes " + patterns + " to " + lanes.stream().map(Lane::name).toList()
            + (fallback == null ? "" : ", else " + fallback.name());
      }
    };
  }

  private static Predicate<HttpServletRequest> bypass(List<String> bypass) {
    List<PathPattern> patterns = new ArrayList<>(bypass.size());
    for (int i = 0; i < bypass.size(); i++) {
      patterns.add(parse(PREFIX + ".bypass[" + i + "]", bypass.get(i)));
    }
    return request -> {
      PathContainer path = pathOf(request);
      for (PathPattern pattern : patterns) {
        if (pattern.matches(path)) {
          return true;
        }
      }
      return false;
    };
  }

  private static void priority(Servlet properties, LaneFilter.Builder builder) {
    String header = properties.getPriorityHeader();
    List<String> trusted = properties.getTrustedProxies();
    boolean hasHeader = header != null && !header.isBlank();
    if (!hasHeader && trusted.isEmpty()) {
      return;
    }
    if (!hasHeader) {
      throw new InvalidLanesPropertyException(PREFIX + ".priority-header", header,
          "trusted-proxies are given, but no header to read the priority from");
    }
    if (trusted.isEmpty()) {
      throw new InvalidLanesPropertyException(PREFIX + ".trusted-proxies", null,
          "the priority header is read only from trusted proxies; list their address blocks,"
              + " e.g. 10.0.0.0/8");
    }
    for (int i = 0; i < trusted.size(); i++) {
      try {
        RequestPriorities.fromHeader(header, trusted.get(i));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new InvalidLanesPropertyException(PREFIX + ".trusted-proxies[" + i + "]",
            trusted.get(i), "not an address block such as 10.0.0.0/8 or fd00::/8 ("
                + e.getMessage() + ")", e);
      }
    }
    builder.priority(RequestPriorities.fromHeader(header, trusted.toArray(String[]::new)));
  }

  private static PathPattern parse(String property, String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new InvalidLanesPropertyException(property, pattern, "a path pattern is needed");
    }
    if (!pattern.startsWith("/")) {
      throw new InvalidLanesPropertyException(property, pattern,
          "a path pattern starts with '/', e.g. /reports/**");
    }
    try {
      return PathPatternParser.defaultInstance.parse(pattern);
    } catch (PatternParseException e) {
      throw new InvalidLanesPropertyException(property, pattern,
          "not a path pattern: " + e.getMessage(), e);
    }
  }

  /** The path inside the application, as the container routed it: no context path or query. */
  private static PathContainer pathOf(HttpServletRequest request) {
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    return PathContainer.parsePath(path.isEmpty() ? "/" : path);
  }
}
