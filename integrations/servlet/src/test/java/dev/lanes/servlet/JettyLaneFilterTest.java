package dev.lanes.servlet;

/** {@link LaneFilterContract} in embedded Jetty 12.1 (ee10). */
class JettyLaneFilterTest extends LaneFilterContract {
  @Override
  TestContainer start(String host, int maxThreads, TestContainer.App app) throws Exception {
    return JettyContainer.start(host, maxThreads, app);
  }
}
