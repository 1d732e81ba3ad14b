/**
 * Lanes for Resilience4j: an adaptive {@link io.github.resilience4j.bulkhead.Bulkhead}
 * ({@link dev.lanes.resilience4j.LaneBulkhead}) and a
 * {@link io.github.resilience4j.bulkhead.BulkheadRegistry}
 * ({@link dev.lanes.resilience4j.LaneBulkheadRegistry}) whose bound is a lane's limit, moved by the
 * tail latency the lane measures, with priorities underneath.
 *
 * <pre>{@code
 * LaneRegistry lanes = LaneRegistry.create();
 * BulkheadRegistry bulkheads = LaneBulkheadRegistry.of(lanes);
 * TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meterRegistry);
 *
 * Supplier<Quote> quote = Decorators.ofSupplier(() -> pricing.quote(order))
 *     .withBulkhead(bulkheads.bulkhead("pricing"))       // adaptive, on lanes.named("pricing")
 *     .withCircuitBreaker(CircuitBreaker.ofDefaults("pricing"))
 *     .withRetry(Retry.ofDefaults("pricing"))
 *     .decorate();
 * }</pre>
 *
 * <h2>With Spring Boot</h2>
 *
 * <p>Resilience4j's Spring Boot starter makes its own {@code BulkheadRegistry} only when the
 * application has none, and its {@code @Bulkhead(name = "pricing")} aspect asks that registry for
 * {@code bulkhead("pricing")}. So a {@code BulkheadRegistry} bean that is a
 * {@code LaneBulkheadRegistry} makes every semaphore-type {@code @Bulkhead} adaptive:
 *
 * <pre>{@code
 * @Configuration
 * class LanesConfiguration {
 *   @Bean(destroyMethod = "close")
 *   LaneRegistry laneRegistry() {
 *     return LaneRegistry.builder()
 *         .customize(lane -> lane.maxWait(Duration.ofMillis(200)))
 *         .build();
 *   }
 *
 *   @Bean
 *   BulkheadRegistry bulkheadRegistry(LaneRegistry lanes) {
 *     LaneBulkheadRegistry bulkheads = LaneBulkheadRegistry.of(lanes);
 *     // a name the aspect will ask for, bound to a disk's lane at BACKGROUND
 *     bulkheads.bulkhead("disk-scan", lanes.forPath(Path.of("/data")), Priority.BACKGROUND);
 *     return bulkheads;
 *   }
 * }
 *
 * @Bulkhead(name = "pricing")              // NORMAL, on lanes.named("pricing")
 * public Quote quote(Order order) { ... }
 * }</pre>
 *
 * <p>With that bean in place, Resilience4j's starter no longer builds the registry, so it does
 * not apply {@code resilience4j.bulkhead.instances.*} properties or hook the registry into its
 * bulkhead event endpoint: set the lanes through the {@code LaneRegistry}, and pass a config with
 * {@code bulkheads.bulkhead(name, config)} where one is needed. Lanes' own starter will wire all
 * of this from properties.
 */
package dev.lanes.resilience4j;
