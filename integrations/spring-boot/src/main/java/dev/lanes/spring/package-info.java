/**
 * Spring Boot auto-configuration for Lanes: a {@link dev.lanes.registry.LaneRegistry} configured
 * from {@code lanes.*} properties, a {@link dev.lanes.servlet.LaneFilter} in front of a servlet
 * application, Micrometer meters, Resilience4j's {@code BulkheadRegistry} on lanes, and the
 * {@code lanes} Actuator endpoint and health indicator.
 *
 * <p>Add {@code dev.lanes:lanes-spring-boot-starter}; every part turns itself on when what it
 * needs is on the class path, backs off for a bean of the application's own, and can be switched
 * off by a property.
 */
package dev.lanes.spring;
