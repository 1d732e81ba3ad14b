package dev.lanes.examples.http;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads aligned blocks of one file straight from the disk, with {@code O_DIRECT} where the file
 * system allows it, so the demo measures the device and not the page cache.
 */
final class DiskBlocks implements AutoCloseable {

  static final int ALIGNMENT = 4096;

  private final FileChannel channel;
  private final boolean direct;
  private final long size;

  DiskBlocks(Path file) throws IOException {
    FileChannel opened;
    boolean isDirect = true;
    try {
      opened = FileChannel.open(file, new OpenOption[] {StandardOpenOption.READ,
          ExtendedOpenOption.DIRECT});
    } catch (UnsupportedOperationException | IOException e) {
      opened = FileChannel.open(file, StandardOpenOption.READ); // tmpfs, for one
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

  /** A buffer for one reader thread, aligned as {@code O_DIRECT} requires. */
  static ByteBuffer buffer(int length) {
    return ByteBuffer.allocateDirect(length + ALIGNMENT).alignedSlice(ALIGNMENT).limit(length);
  }

  /** Fills {@code buffer} from {@code offset}, which must be aligned; returns the bytes read. */
  int read(ByteBuffer buffer, long offset) throws IOException {
    buffer.clear();
    int total = 0;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, offset + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
