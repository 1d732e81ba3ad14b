package dev.lanes.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The few request properties the classifiers read, for unit tests of cases a loopback container
 * cannot produce (a peer at {@code fd00::1}, a zone id, a valve's {@code "unknown"}). Everything
 * else throws, so a classifier that reads more than it should fails the test.
 */
final class FakeRequest {

  private String remoteAddr = "127.0.0.1";
  private String servletPath = "";
  private String pathInfo;
  private final Map<String, List<String>> headers = new HashMap<>();
  private final Map<String, Object> attributes = new HashMap<>();
  private final Set<String> roles = new HashSet<>();

  static FakeRequest from(String remoteAddr) {
    FakeRequest r = new FakeRequest();
    r.remoteAddr = remoteAddr;
    return r;
  }

  FakeRequest header(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>())
        .add(value);
    return this;
  }

  FakeRequest attribute(String name, Object value) {
    attributes.put(name, value);
    return this;
  }

  FakeRequest path(String servletPath, String pathInfo) {
    this.servletPath = servletPath;
    this.pathInfo = pathInfo;
    return this;
  }

  FakeRequest role(String role) {
    roles.add(role);
    return this;
  }

  HttpServletRequest build() {
    return (HttpServletRequest) Proxy.newProxyInstance(
        HttpServletRequest.class.getClassLoader(),
        new Class<?>[] {HttpServletRequest.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "getRemoteAddr":
              return remoteAddr;
            case "getHeaders":
              return Collections.enumeration(headers.getOrDefault(
                  ((String) args[0]).toLowerCase(java.util.Locale.ROOT), List.of()));
            case "getAttribute":
              return attributes.get((String) args[0]);
            case "getServletPath":
              return servletPath;
            case "getPathInfo":
              return pathInfo;
            case "isUserInRole":
              return roles.contains((String) args[0]);
            case "toString":
              return "FakeRequest[" + remoteAddr + "]";
            default:
              throw new UnsupportedOperationException(method.getName());
          }
        });
  }
}
