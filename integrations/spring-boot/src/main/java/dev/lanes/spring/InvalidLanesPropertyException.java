package dev.lanes.spring;

import java.util.Objects;

/**
 * A {@code lanes.*} property whose value cannot work. Thrown while the application starts;
 * {@link InvalidLanesPropertyFailureAnalyzer} turns it into a start-up report that names the
 * property, its value and what to do.
 *
 * <pre>{@code
 * throw new InvalidLanesPropertyException("lanes.lanes.payments-api.limits.min", -1,
 *     "a limit must be at least 1");
 * }</pre>
 */
public class InvalidLanesPropertyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String property;
  private final transient Object value;
  private final String reason;

  public InvalidLanesPropertyException(String property, Object value, String reason) {
    this(property, value, reason, null);
  }

  public InvalidLanesPropertyException(String property, Object value, String reason,
      Throwable cause) {
    super("Property '" + property + "' is " + describe(value) + ": " + reason, cause);
    this.property = Objects.requireNonNull(property, "property");
    this.value = value;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The full name of the property, e.g. {@code lanes.servlet.trusted-proxies[1]}. */
  public String getProperty() {
    return property;
  }

  /** The value it was bound to; null when it was missing. */
  public Object getValue() {
    return value;
  }

  /** Why the value cannot work. */
  public String getReason() {
    return reason;
  }

  static String describe(Object value) {
    return value == null ? "missing" : "'" + value + "'";
  }
}
