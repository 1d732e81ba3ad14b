package dev.lanes.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * The request as the application sees it while it holds a permit. It only watches
 * {@code startAsync}: the permit's listener must join the async cycle before the application can
 * complete or dispatch it, which may happen on another thread before the filter gets control
 * back.
 */
final class AdmittedRequest extends HttpServletRequestWrapper {

  private final Admission admission;

  AdmittedRequest(HttpServletRequest request, Admission admission) {
    super(request);
    this.admission = admission;
  }

  @Override
  public AsyncContext startAsync() {
    AsyncContext context = super.startAsync();
    admission.applicationStartedAsync(context);
    return context;
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    AsyncContext context = super.startAsync(request, response);
    admission.applicationStartedAsync(context);
    return context;
  }
}
