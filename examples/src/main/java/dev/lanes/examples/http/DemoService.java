package dev.lanes.examples.http;

import dev.lanes.examples.DirectReads;
import dev.lanes.LaneRejectedException;
import dev.lanes.Priority;
import dev.lanes.io.FileLanes;
import dev.lanes.servlet.LaneFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The service under test: embedded Jetty with a fixed pool of threads, {@code GET /record}, which
 * reads 8 random 16 KiB records of the data file through {@link FileLanes}, and
 * {@code GET /health}. The
 * {@link LaneFilter}, when there is one, stands in front of both; {@code /health} bypasses it.
 */
final class DemoService implements AutoCloseable {

  static final int THREADS = 24;
  static final int RECORD_BYTES = 16 * 1024;
  static final int RECORDS_PER_REQUEST = 64;

  private final Server server;
  private final ServerConnector connector;

  DemoService(FileLanes files, Path file, DirectReads blocks, LaneFilter filter) throws Exception {
    QueuedThreadPool pool = new QueuedThreadPool(THREADS, THREADS);
    pool.setName("service");
    server = new Server(pool);
    connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServletContainerInitializer((classes, servletContext) ->
        install(servletContext, files, file, blocks, filter));
    server.setHandler(context);
    server.start();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
  }

  private static void install(ServletContext context, FileLanes files, Path file,
      DirectReads blocks, LaneFilter filter) {
    if (filter != null) {
      filter.register(context, "/*");
    }
    add(context, "record", "/record", new RecordServlet(files, file, blocks));
    add(context, "health", "/health", new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getOutputStream().write("ok\n".getBytes(StandardCharsets.US_ASCII));
      }
    });
  }

  private static void add(ServletContext context, String name, String path, HttpServlet servlet) {
    ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
    registration.setAsyncSupported(true); // lets the filter park waiting requests off-thread
    registration.addMapping(path);
  }

  /** Reads records at random aligned offsets, as a lookup in an on-disk index would. */
  private static final class RecordServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final ThreadLocal<ByteBuffer> BUFFERS =
        ThreadLocal.withInitial(() -> DirectReads.buffer(RECORD_BYTES));

    private final transient FileLanes files;
    private final transient Path file;
    private final transient DirectReads blocks;

    RecordServlet(FileLanes files, Path file, DirectReads blocks) {
      this.files = files;
      this.file = file;
      this.blocks = blocks;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      long records = blocks.size() / RECORD_BYTES;
      ByteBuffer buffer = BUFFERS.get();
      long read = 0;
      try {
        for (int i = 0; i < RECORDS_PER_REQUEST; i++) { // an index lookup: one page per level
          long offset = ThreadLocalRandom.current().nextLong(records) * RECORD_BYTES;
          read += files.call(file, Priority.NORMAL, () -> blocks.read(buffer, offset));
        }
      } catch (LaneRejectedException diskBusy) {
        resp.sendError(503, "the disk is busy");
        return;
      }
      resp.setContentType("text/plain");
      resp.getOutputStream().write(("read " + read + " bytes\n")
          .getBytes(StandardCharsets.US_ASCII));
    }
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
