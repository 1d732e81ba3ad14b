package dev.lanes.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.net.URI;

/** An embedded servlet container running one application, on a loopback address. */
interface TestContainer extends AutoCloseable {

  /** Installs the application's servlets and filters while the context starts. */
  @FunctionalInterface
  interface App {
    void install(ServletContext context) throws ServletException;
  }

  /** Starts a container of some kind. */
  @FunctionalInterface
  interface Factory {
    TestContainer start(String host, int maxThreads, App app) throws Exception;
  }

  URI uri(String path);

  /** Threads of the request pool now. */
  int poolThreads();

  /** The most threads the request pool ever had, if the container keeps count; else -1. */
  int largestPoolThreads();

  @Override
  void close() throws Exception;
}
