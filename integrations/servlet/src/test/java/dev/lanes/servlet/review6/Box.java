package dev.lanes.servlet.review6;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** An embedded container on 127.0.0.1 (the same set-up as the module's own containers). */
interface Box extends AutoCloseable {

  @FunctionalInterface
  interface Install {
    void install(ServletContext context) throws ServletException;
  }

  URI uri(String path);

  @Override
  void close() throws Exception;

  static Box jetty(Install app) throws Exception {
    QueuedThreadPool pool = new QueuedThreadPool(16, 4);
    pool.setReservedThreads(0);
    Server server = new Server(pool);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServletContainerInitializer((classes, ctx) -> app.install(ctx));
    server.setHandler(context);
    server.start();
    return new Box() {
      @Override
      public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }

      @Override
      public String toString() {
        return "Jetty " + Server.getVersion();
      }
    };
  }

  static Box tomcat(Install app) throws Exception {
    java.util.logging.Logger.getLogger("org.apache").setLevel(java.util.logging.Level.WARNING);
    Path base = Files.createTempDirectory("lanes-review6-");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("maxThreads", "16");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    context.addServletContainerInitializer((classes, ctx) -> app.install(ctx), null);
    tomcat.start();
    return new Box() {
      @Override
      public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
      }

      @Override
      public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
      }

      @Override
      public String toString() {
        return "Tomcat 11";
      }
    };
  }
}
