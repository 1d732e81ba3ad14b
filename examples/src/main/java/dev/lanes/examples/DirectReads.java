package dev.lanes.examples;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Reads blocks of a file straight from the device with {@code O_DIRECT} where the file system
 * allows it, so that the demos measure the disk and not the page cache. Falls back to ordinary
 * reads (tmpfs, for example, has no {@code O_DIRECT}).
 *
 * <pre>{@code
 * DirectReads.writeRandomFile(file, 256L << 20);
 * try (DirectReads reads = new DirectReads(file)) {
 *   ByteBuffer buffer = DirectReads.buffer(4096);
 *   reads.read(buffer, 8 * 4096);
 * }
 * }</pre>
 */
public final class DirectReads implements AutoCloseable {

  /** What {@code O_DIRECT} needs offsets and buffers aligned to. */
  public static final int ALIGNMENT = 4096;

  private final FileChannel channel;
  private final boolean direct;
  private final long size;

  /** Opens {@code file} for reading, with {@code O_DIRECT} if its file system allows it. */
  public DirectReads(Path file) throws IOException {
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

  /** Whether reads bypass the page cache. */
  public boolean direct() {
    return direct;
  }

  /** The file's size in bytes. */
  public long size() {
    return size;
  }

  /** A buffer a reader thread keeps for its reads: aligned, as O_DIRECT requires. */
  public static ByteBuffer buffer(int length) {
    return ByteBuffer.allocateDirect(length + ALIGNMENT).alignedSlice(ALIGNMENT).limit(length);
  }

  /** Fills {@code buffer} from {@code offset}, which must be aligned; returns the bytes read. */
  public int read(ByteBuffer buffer, long offset) throws IOException {
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

  /** Writes {@code bytes} of seeded random data to {@code file}, a megabyte at a time. */
  public static void writeRandomFile(Path file, long bytes) throws IOException {
    byte[] chunk = new byte[1 << 20];
    new SplittableRandom(7).nextBytes(chunk);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < bytes; written += chunk.length) {
        out.write(chunk);
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
