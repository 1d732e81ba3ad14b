package dev.lanes.examples.spring;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The service's data: a file of 16 KiB records in a temporary directory, read with
 * {@code O_DIRECT} where the file system allows it, so reads reach the disk and not the page
 * cache. Deleted when the application stops.
 */
@Component
public class RecordsFile implements AutoCloseable {

  static final int RECORD_BYTES = 16 * 1024;
  private static final int ALIGNMENT = 4096;

  private final Path path;
  private final FileChannel channel;
  private final long records;

  public RecordsFile(@Value("${demo.file-mib:256}") int mebibytes) throws IOException {
    Path dir = Files.createTempDirectory("lanes-spring-demo-");
    this.path = dir.resolve("records.bin");
    write(path, (long) mebibytes * 1024 * 1024);
    this.records = Files.size(path) / RECORD_BYTES;
    FileChannel opened;
    try {
      opened = FileChannel.open(path,
          new OpenOption[] {StandardOpenOption.READ, ExtendedOpenOption.DIRECT});
    } catch (UnsupportedOperationException | IOException e) {
      opened = FileChannel.open(path, StandardOpenOption.READ); // tmpfs, for one
    }
    this.channel = opened;
  }

  public Path path() {
    return path;
  }

  public long records() {
    return records;
  }

  /** A buffer for one reader, aligned as {@code O_DIRECT} requires. */
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

  private static void write(Path file, long bytes) throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    ByteBuffer chunk = ByteBuffer.allocate(1024 * 1024);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (long written = 0; written < bytes; written += chunk.capacity()) {
        chunk.clear();
        while (chunk.hasRemaining()) {
          chunk.putLong(random.nextLong());
        }
        chunk.flip();
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
      }
      out.force(true);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
    Files.deleteIfExists(path);
    Files.deleteIfExists(path.getParent());
  }
}
