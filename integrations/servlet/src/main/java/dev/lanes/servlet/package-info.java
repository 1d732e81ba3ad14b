/**
 * A lane in front of a Jakarta Servlet 6 application: {@link dev.lanes.servlet.LaneFilter} admits
 * each request under a permit of its priority, waits for a permit without holding a container
 * thread, and refuses with {@code 503} and {@code Retry-After} when the lane is full;
 * {@link dev.lanes.servlet.RequestPriorities} and {@link dev.lanes.servlet.RequestPaths} give
 * requests their priority from sources a client cannot forge.
 *
 * <pre>{@code
 * LaneFilter.builder(lane)
 *     .priority(RequestPriorities.rules().path("/export/*", Priority.BACKGROUND))
 *     .bypass(RequestPaths.matching("/health"))
 *     .build()
 *     .register(servletContext, "/*");
 * }</pre>
 */
package dev.lanes.servlet;
