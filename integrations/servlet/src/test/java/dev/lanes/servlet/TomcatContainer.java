package dev.lanes.servlet;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;

/**
 * Embedded Tomcat 11. Its acceptor and poller have threads of their own, outside the request
 * pool. Speaks HTTP/1.1, and h2c for clients that ask.
 */
final class TomcatContainer implements TestContainer {

  /** Held, so that the level sticks: JUL keeps loggers weakly. */
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

  static {
    TOMCAT_LOG.setLevel(Level.WARNING);
  }

  private final Tomcat tomcat;
  private final Connector connector;
  private final Path baseDir;
  private final String host;

  private TomcatContainer(String host, int maxThreads, App app) throws Exception {
    this.host = host;
    baseDir = Files.createTempDirectory("lanes-tomcat-");
    tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", host);
    connector.setProperty("maxThreads", Integer.toString(maxThreads));
    connector.setProperty("minSpareThreads", Integer.toString(Math.min(4, maxThreads)));
    connector.addUpgradeProtocol(new Http2Protocol());
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", baseDir.toString());
    context.addServletContainerInitializer(
        (classes, servletContext) -> app.install(servletContext), null);
    tomcat.start();
  }

  static TestContainer start(String host, int maxThreads, App app) throws Exception {
    return new TomcatContainer(host, maxThreads, app);
  }

  @Override
  public URI uri(String path) {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return URI.create("http://" + h + ":" + connector.getLocalPort() + path);
  }

  @Override
  public int poolThreads() {
    return executor().getPoolSize();
  }

  @Override
  public int largestPoolThreads() {
    return executor().getLargestPoolSize();
  }

  private ThreadPoolExecutor executor() {
    return (ThreadPoolExecutor) connector.getProtocolHandler().getExecutor();
  }

  @Override
  public void close() throws Exception {
    try {
      tomcat.stop();
      tomcat.destroy();
    } finally {
      deleteTree(baseDir);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public String toString() {
    return ServerInfo.getServerInfo();
  }
}
