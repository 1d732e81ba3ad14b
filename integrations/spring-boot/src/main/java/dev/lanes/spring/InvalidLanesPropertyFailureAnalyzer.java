package dev.lanes.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a start-up that failed on a bad {@code lanes.*} value: which property, what it was, and
 * why it cannot work, instead of a stack of bean-creation errors. Registered in
 * {@code META-INF/spring.factories}; Spring Boot prints it as
 *
 * <pre>
 * Description:
 *
 * Property 'lanes.lanes.payments-api.limits.min' is '-1': a limit must be at least 1
 *
 * Action:
 *
 * Change 'lanes.lanes.payments-api.limits.min' in your application's configuration.
 * </pre>
 */
public class InvalidLanesPropertyFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidLanesPropertyException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidLanesPropertyException cause) {
    return new FailureAnalysis(cause.getMessage(),
        "Change '" + cause.getProperty() + "' in your application's configuration"
            + " (application.yml or application.properties, or the environment).", cause);
  }
}
