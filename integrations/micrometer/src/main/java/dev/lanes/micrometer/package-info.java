/**
 * Lanes for Micrometer: {@link dev.lanes.micrometer.LaneMetrics} exports each lane's limit, load,
 * refusals and latency as meters, read from the lane's own counters when the registry scrapes.
 *
 * <pre>{@code
 * PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * LaneRegistry lanes = LaneRegistry.create();
 * LaneMetrics.of(lanes).bindTo(prometheus);
 * // lanes_limit{lane="disk:nvme0n1"} 16.0
 * // lanes_rejected_total{lane="disk:nvme0n1",priority="normal",reason="queue_full"} 0.0
 * }</pre>
 */
package dev.lanes.micrometer;
