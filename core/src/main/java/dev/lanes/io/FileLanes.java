package dev.lanes.io;

import dev.lanes.Lane;
import dev.lanes.Priority;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * A drop-in for {@link Files} that runs every operation under a permit of the lane of the device
 * the path is on, so that reads and writes to one disk are bounded together, whatever code issues
 * them.
 *
 * <pre>{@code
 * FileLanes files = registry.files();                     // or FileLanes.of(registry::forPath)
 * byte[] page = files.readAllBytes(path);                 // NORMAL
 * byte[] block = files.readAllBytes(other, Priority.BACKGROUND);
 * files.write(out, bytes, Priority.NORMAL, StandardOpenOption.CREATE);
 * long size = files.call(path, Priority.CRITICAL, () -> Files.size(path));
 * }</pre>
 *
 * <p>Failures come back as the {@link IOException} the operation threw. A refusal from the lane
 * is a {@link dev.lanes.LaneRejectedException}; an interrupt while waiting for a permit is an
 * {@link InterruptedIOException}, with the thread's interrupt flag set again.
 */
public final class FileLanes {

  private final Function<Path, Lane> laneForPath;

  private FileLanes(Function<Path, Lane> laneForPath) {
    this.laneForPath = laneForPath;
  }

  /** File operations routed through {@code laneForPath}, usually {@code registry::forPath}. */
  public static FileLanes of(Function<Path, Lane> laneForPath) {
    return new FileLanes(Objects.requireNonNull(laneForPath, "laneForPath"));
  }

  /** {@link Files#readAllBytes} as a {@link Priority#NORMAL} call. */
  public byte[] readAllBytes(Path path) throws IOException {
    return readAllBytes(path, Priority.NORMAL);
  }

  /** {@link Files#readAllBytes} at {@code priority}. */
  public byte[] readAllBytes(Path path, Priority priority) throws IOException {
    return call(path, priority, () -> Files.readAllBytes(path));
  }

  /** {@link Files#write(Path, byte[], OpenOption...)} at {@code priority}. */
  public Path write(Path path, byte[] bytes, Priority priority, OpenOption... options)
      throws IOException {
    return call(path, priority, () -> Files.write(path, bytes, options));
  }

  /**
   * Runs {@code io} under a permit of {@code path}'s lane. The lane records the call's latency,
   * and counts an overload failure (a timeout) as a drop.
   */
  public <T> T call(Path path, Priority priority, IoCallable<T> io) throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(io, "io");
    Lane lane = laneForPath.apply(path);
    try {
      return lane.call(priority, io::call);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted = new InterruptedIOException(
          "interrupted while waiting for lane '" + lane.name() + "' to " + path);
      interrupted.initCause(e);
      throw interrupted;
    } catch (Exception e) {
      throw new IOException("unexpected failure of I/O on " + path, e); // IoCallable throws none
    }
  }
}
