package dev.lanes.servlet;

import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Embedded Jetty 12.1, ee10. Its pool runs everything, the acceptor and the selector included,
 * so a pool of 8 leaves 6 threads for requests. Speaks HTTP/1.1, and h2c for clients that ask.
 */
final class JettyContainer implements TestContainer {

  private final Server server;
  private final ServerConnector connector;
  private final QueuedThreadPool pool;
  private final String host;

  private JettyContainer(String host, int maxThreads, App app) throws Exception {
    this.host = host;
    pool = new QueuedThreadPool(maxThreads, Math.min(4, maxThreads));
    pool.setReservedThreads(0);
    pool.setName("jetty-test");
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http),
        new HTTP2CServerConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServletContainerInitializer((classes, servletContext) -> app.install(servletContext));
    server.setHandler(context);
    server.start();
  }

  static TestContainer start(String host, int maxThreads, App app) throws Exception {
    return new JettyContainer(host, maxThreads, app);
  }

  @Override
  public URI uri(String path) {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return URI.create("http://" + h + ":" + connector.getLocalPort() + path);
  }

  @Override
  public int poolThreads() {
    return pool.getThreads();
  }

  @Override
  public int largestPoolThreads() {
    return -1;
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  @Override
  public String toString() {
    return "Jetty " + Server.getVersion();
  }
}
