package dev.lanes;

/**
 * The right to run one call in a lane. Release it exactly once, in the way that says how the call
 * went; the first of {@link #close}, {@link #dropped} and {@link #ignore} counts and later calls do
 * nothing.
 *
 * <pre>{@code
 * Permit permit = lane.acquire(Priority.NORMAL);
 * try {
 *   Response response = client.send(request);
 *   if (response.status() == 503) permit.dropped(); else permit.close();
 * } catch (TimeoutException e) {
 *   permit.dropped();
 *   throw e;
 * } finally {
 *   permit.ignore();   // a no-op when the call was already released above
 * }
 * }</pre>
 */
public interface Permit extends AutoCloseable {

  /** The priority the permit was granted at. */
  Priority priority();

  /** Releases the permit after a successful call, and records the call's latency. */
  @Override
  void close();

  /**
   * Releases the permit after the call saw overload (a timeout, a 503, a queue that was full
   * downstream). The limit algorithm counts it as a drop.
   */
  void dropped();

  /**
   * Releases the permit without telling the algorithm anything: for client errors and cancelled
   * calls, whose latency says nothing about the resource.
   */
  void ignore();
}
