package dev.lanes.servlet;

/** {@link LaneFilterContract} in embedded Tomcat 11. */
class TomcatLaneFilterTest extends LaneFilterContract {
  @Override
  TestContainer start(String host, int maxThreads, TestContainer.App app) throws Exception {
    return TomcatContainer.start(host, maxThreads, app);
  }
}
