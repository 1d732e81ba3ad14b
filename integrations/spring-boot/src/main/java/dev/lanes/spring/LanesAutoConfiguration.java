package dev.lanes.spring;

import dev.lanes.io.FileLanes;
import dev.lanes.registry.LaneRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The {@link LaneRegistry} of the application, built from the {@code lanes.*} properties and
 * closed when the context closes, and its {@link FileLanes}. Backs off when the application
 * defines its own {@code LaneRegistry}; {@code lanes.enabled=false} turns it off, and with it
 * every other Lanes auto-configuration that needs the registry.
 *
 * <pre>{@code
 * @RestController
 * class PageController {
 *   private final FileLanes files;
 *   PageController(FileLanes files) { this.files = files; }
 *
 *   @GetMapping("/pages/{id}")
 *   byte[] page(@PathVariable int id) throws IOException {
 *     return files.readAllBytes(Path.of("/data/pages", id + ".bin"));
 *   }
 * }
 * }</pre>
 */
@AutoConfiguration
@ConditionalOnClass(LaneRegistry.class)
@ConditionalOnBooleanProperty(name = "lanes.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LanesProperties.class)
public class LanesAutoConfiguration {

  /** The lanes of the properties, each created now; every other lane on first use. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public LaneRegistry laneRegistry(LanesProperties properties) {
    return LaneRegistryFactory.create(properties);
  }

  /** File operations routed through the lane of each file's device. */
  @Bean
  @ConditionalOnMissingBean
  public FileLanes fileLanes(LaneRegistry laneRegistry) {
    return laneRegistry.files();
  }
}
