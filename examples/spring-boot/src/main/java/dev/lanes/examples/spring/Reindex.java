package dev.lanes.examples.spring;

import dev.lanes.LaneRejectedException;
import dev.lanes.Priority;
import dev.lanes.io.FileLanes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * A background reindex: one thread scans the records file in 512 KiB reads at
 * {@code BACKGROUND}, so it takes only the disk lane's slack and waits behind every request.
 */
@Component
public class Reindex implements SmartLifecycle {

  private static final int READ_BYTES = 512 * 1024;

  private final RecordsFile records;
  private final FileLanes files;
  private final AtomicLong bytes = new AtomicLong();
  private volatile boolean running;

  public Reindex(RecordsFile records, FileLanes files) {
    this.records = records;
    this.files = files;
  }

  /** Bytes scanned so far. */
  public long bytes() {
    return bytes.get();
  }

  @Override
  public void start() {
    running = true;
    Thread thread = new Thread(this::scan, "reindex");
    thread.setDaemon(true);
    thread.start();
  }

  private void scan() {
    ByteBuffer buffer = RecordsFile.buffer(READ_BYTES);
    long size = records.records() * RecordsFile.RECORD_BYTES;
    long offset = 0;
    // Stopped by a flag, not an interrupt: an interrupt would close the shared FileChannel.
    while (running) {
      long at = offset;
      try {
        bytes.addAndGet(files.call(records.path(), Priority.BACKGROUND,
            () -> records.read(buffer, at)));
      } catch (LaneRejectedException refused) {
        if (refused.reason() == LaneRejectedException.Reason.CLOSED) {
          return; // the application is stopping
        }
        continue; // the disk had no slack within max-wait; try again
      } catch (IOException | IllegalStateException e) {
        if (running) {
          throw new IllegalStateException("reindex failed at offset " + at, e);
        }
        return;
      }
      offset = (offset + READ_BYTES) % (size - READ_BYTES);
    }
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
