package dev.lanes.examples.spring;

import dev.lanes.Priority;
import dev.lanes.io.FileLanes;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /record/{n}} reads record n through the lane of the file's disk; {@code GET /health}
 * answers at once, and the filter lets it bypass every lane ({@code lanes.servlet.bypass}).
 */
@RestController
public class RecordController {

  private static final ThreadLocal<ByteBuffer> BUFFER =
      ThreadLocal.withInitial(() -> RecordsFile.buffer(RecordsFile.RECORD_BYTES));

  private final RecordsFile records;
  private final FileLanes files;

  public RecordController(RecordsFile records, FileLanes files) {
    this.records = records;
    this.files = files;
  }

  @GetMapping("/record/{n}")
  public String record(@PathVariable long n) throws IOException {
    long offset = Math.floorMod(n, records.records()) * RecordsFile.RECORD_BYTES;
    ByteBuffer buffer = BUFFER.get();
    int read = files.call(records.path(), Priority.NORMAL, () -> records.read(buffer, offset));
    return "record " + n + ": " + read + " bytes, first word " + Long.toHexString(buffer.getLong(0))
        + "\n";
  }

  @GetMapping("/health")
  public String health() {
    return "ok\n";
  }
}
