package dev.lanes.io;

import java.io.IOException;

/**
 * A piece of file I/O to run under a device lane's permit.
 *
 * <pre>{@code
 * long size = files.call(path, Priority.NORMAL, () -> Files.size(path));
 * }</pre>
 */
@FunctionalInterface
public interface IoCallable<T> {
  T call() throws IOException;
}
