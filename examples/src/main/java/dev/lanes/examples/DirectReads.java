package dev.lanes.examples;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads blocks of a file straight from the device with {@code O_DIRECT} where the file system
 * allows it, so that the demo measures the disk and not the page cache. Falls back to ordinary
 * reads (tmpfs, for example, has no {@code O_DIRECT}).
 */
final class DirectReads implements AutoCloseable {

  static final int ALIGNMENT = 4096;

  private final FileChannel channel;
  private final boolean direct;
  private final long size;

  DirectReads(Path file) throws IOException {
    FileChannel opened;
    boolean isDirect;
    try {
      opened = FileChannel.open(file, new OpenOption[] {StandardOpenOption.READ,
          ExtendedOpenOption.DIRECT});
      isDirect = true;
    } catch (UnsupportedOperationException | IOException e) {
      opened = FileChannel.open(file, StandardOpenOption.READ);
      isDirect = false;
    }
    this.channel = opened;
    this.direct = isDirect;
    this.size = Files.size(file);
  }

  boolean direct() {
    return direct;
  }

  long size() {
    return size;
  }

  /** A buffer a reader thread keeps for its reads: aligned, as O_DIRECT requires. */
  static ByteBuffer buffer(int length) {
    return ByteBuffer.allocateDirect(length + ALIGNMENT).alignedSlice(ALIGNMENT).limit(length);
  }

  /** Reads {@code buffer.capacity()} bytes at {@code offset}, which must be aligned. */
  int read(ByteBuffer buffer, long offset) {
    buffer.clear();
    try {
      int total = 0;
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, offset + total);
        if (n < 0) {
          break;
        }
        total += n;
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
