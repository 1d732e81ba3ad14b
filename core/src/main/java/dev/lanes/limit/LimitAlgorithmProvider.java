package dev.lanes.limit;

/**
 * Makes a {@link LimitAlgorithm} known by name. Implementations are found with
 * {@link java.util.ServiceLoader}: list them in
 * {@code META-INF/services/dev.lanes.limit.LimitAlgorithmProvider}.
 *
 * <pre>{@code
 * public final class HalvingProvider implements LimitAlgorithmProvider {
 *   public String name() { return "halving"; }
 *   public LimitAlgorithm create() { return new HalvingLimit(); }
 * }
 * // then: Lane.builder("x").algorithm("halving")
 * }</pre>
 */
public interface LimitAlgorithmProvider {

  /** The name lanes ask for, such as {@code "gradient"}. */
  String name();

  /** A fresh algorithm with its default settings; each lane gets its own. */
  LimitAlgorithm create();
}
