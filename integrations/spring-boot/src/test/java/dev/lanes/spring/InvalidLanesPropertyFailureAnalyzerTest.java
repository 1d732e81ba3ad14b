package dev.lanes.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/** A real start-up with a bad value: Spring Boot finds the analyzer and prints its report. */
@ExtendWith(OutputCaptureExtension.class)
class InvalidLanesPropertyFailureAnalyzerTest {

  @Test
  void startUpReportsThePropertyItsValueAndWhatToDo(CapturedOutput output) {
    SpringApplicationBuilder application = new SpringApplicationBuilder(Minimal.class)
        .web(WebApplicationType.NONE)
        .properties("lanes.lanes.payments-api.limits.min=-1",
            "lanes.lanes.payments-api.limits.initial=10",
            "lanes.lanes.payments-api.limits.max=50");
    assertThatThrownBy(application::run).hasRootCauseInstanceOf(InvalidLanesPropertyException.class);
    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains("Property 'lanes.lanes.payments-api.limits.min' is '-1': a limit must be at"
            + " least 1")
        .contains("Change 'lanes.lanes.payments-api.limits.min' in your application's"
            + " configuration");
  }

  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(LanesAutoConfiguration.class)
  static class Minimal {}
}
