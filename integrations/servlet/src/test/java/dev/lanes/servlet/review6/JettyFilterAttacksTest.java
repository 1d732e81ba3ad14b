package dev.lanes.servlet.review6;

/** {@link FilterAttacks} in embedded Jetty 12.1 (ee10). */
class JettyFilterAttacksTest extends FilterAttacks {
  @Override
  Box start(Box.Install install) throws Exception {
    return Box.jetty(install);
  }
}
