package dev.lanes.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Matches requests by their path inside the application, with the patterns of a servlet mapping:
 * an exact path ({@code /health}), a prefix ({@code /reports/*}, which also matches
 * {@code /reports}) or an extension ({@code *.csv}).
 *
 * <pre>{@code
 * LaneFilter filter = LaneFilter.builder(lane)
 *     .bypass(RequestPaths.matching("/health", "/metrics/*"))
 *     .build();
 * }</pre>
 *
 * <p>The path is {@code getServletPath() + getPathInfo()}: decoded and normalised by the
 * container, without the context path or the query, so {@code /app/reports/../health;x=1} is
 * matched as the container routes it, as {@code /health}.
 */
public final class RequestPaths {

  private RequestPaths() {}

  /**
   * A test that is true when the request's path matches any of {@code patterns}.
   *
   * @throws IllegalArgumentException naming the pattern, if one is not {@code /exact},
   *     {@code /prefix/*} or {@code *.extension}
   */
  public static Predicate<HttpServletRequest> matching(String... patterns) {
    Objects.requireNonNull(patterns, "patterns");
    if (patterns.length == 0) {
      throw new IllegalArgumentException("matching needs at least one path pattern");
    }
    List<Pattern> compiled = new java.util.ArrayList<>(patterns.length);
    for (String pattern : patterns) {
      compiled.add(Pattern.compile(pattern));
    }
    List<Pattern> all = List.copyOf(compiled);
    return new Predicate<>() {
      @Override
      public boolean test(HttpServletRequest request) {
        String path = pathOf(request);
        for (Pattern p : all) {
          if (p.matches(path)) {
            return true;
          }
        }
        return false;
      }

      @Override
      public String toString() {
        return "paths " + all;
      }
    };
  }

  /** The request's path inside the application, as the container routes it. */
  static String pathOf(HttpServletRequest request) {
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    return path.isEmpty() ? "/" : path;
  }

  /** One servlet-style pattern. */
  private static final class Pattern {
    private final String text;
    private final String exact;
    private final String prefix;
    private final String extension;

    private Pattern(String text, String exact, String prefix, String extension) {
      this.text = text;
      this.exact = exact;
      this.prefix = prefix;
      this.extension = extension;
    }

    static Pattern compile(String text) {
      Objects.requireNonNull(text, "pattern");
      if (text.startsWith("*.") && text.length() > 2 && text.indexOf('/') < 0
          && text.indexOf('*', 1) < 0) {
        return new Pattern(text, null, null, text.substring(1));
      }
      if (text.startsWith("/") && text.endsWith("/*") && text.indexOf('*') == text.length() - 1) {
        return new Pattern(text, null, text.substring(0, text.length() - 2), null);
      }
      if (text.startsWith("/") && text.indexOf('*') < 0) {
        return new Pattern(text, text, null, null);
      }
      throw new IllegalArgumentException("'" + text + "' is not a path pattern: use /exact,"
          + " /prefix/* or *.extension");
    }

    boolean matches(String path) {
      if (exact != null) {
        return path.equals(exact);
      }
      if (prefix != null) {
        return path.equals(prefix) || prefix.isEmpty()
            || (path.startsWith(prefix) && path.charAt(prefix.length()) == '/');
      }
      int lastSlash = path.lastIndexOf('/');
      return path.endsWith(extension) && path.length() - extension.length() > lastSlash + 1;
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
