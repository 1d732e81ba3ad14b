package dev.lanes.servlet.review6;

/** {@link FilterAttacks} in embedded Tomcat 11. */
class TomcatFilterAttacksTest extends FilterAttacks {
  @Override
  Box start(Box.Install install) throws Exception {
    return Box.tomcat(install);
  }
}
