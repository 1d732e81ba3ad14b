package dev.lanes.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A small catalog service on Spring Boot whose lanes come from {@code application.yml}: the
 * starter puts the {@code http} lane in front of every request but {@code /health} and Actuator,
 * and {@code GET /record/{n}} reads a real file through the disk's lane ({@code FileLanes}), while
 * a reindex scans the same disk at {@code BACKGROUND}. It then offers itself some load and prints
 * what {@code /actuator/lanes} shows.
 *
 * <pre>
 * mvn -q -pl examples/spring-boot -am -DskipTests package exec:java
 * curl localhost:8080/record/7
 * curl localhost:8080/actuator/lanes
 * </pre>
 */
@SpringBootApplication
public class CatalogApplication {

  public static void main(String[] args) {
    ConfigurableApplicationContext context = SpringApplication.run(CatalogApplication.class, args);
    if (context.getEnvironment().getProperty("demo.exit", Boolean.class, false)) {
      SpringApplication.exit(context);
    }
  }
}
