package dev.lanes.sim;

import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The same limit, {@code gradient}, with its queue served each of the three ways, in every
 * scenario: what the queue's order does to the callers' latency and to goodput. Prints a markdown
 * table (the one in {@code docs/algorithms.md}).
 *
 * <pre>
 * mvn -q -pl simulator -am -DskipTests package exec:java -Dexec.mainClass=dev.lanes.sim.QueueOrders
 * </pre>
 */
public final class QueueOrders {

  private QueueOrders() {}

  public static void main(String[] args) {
    long seed = args.length > 0 ? Long.parseLong(args[0]) : Scoreboard.SEED;
    List<Contender> contenders = new ArrayList<>();
    for (QueueOrder order : QueueOrder.values()) {
      contenders.add(Contender.lanes("gradient", order));
    }
    contenders.add(Contender.oracle());
    List<Scenario> scenarios = new ArrayList<>(Scenarios.targeted());
    scenarios.addAll(Scenarios.devices());
    Map<Scenario, List<RunResult>> results;
    try (Progress progress = Progress.to(System.err, scenarios.size() * contenders.size())) {
      results = Scoreboard.run(scenarios, contenders, seed, progress);
    }
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "Seed %d. NORMAL end-to-end p99 in ms, and goodput, of `gradient` with its queue served"
            + " each way; the oracle keeps a FIFO queue.%n%n", seed));
    table.append("| scenario | ADAPTIVE | FIFO | LIFO | oracle (FIFO) |\n|---|---:|---:|---:|---:|\n");
    for (Map.Entry<Scenario, List<RunResult>> entry : results.entrySet()) {
      table.append("| ").append(entry.getKey().name());
      for (QueueOrder order : new QueueOrder[] {QueueOrder.ADAPTIVE, QueueOrder.FIFO,
          QueueOrder.LIFO}) {
        table.append(" | ").append(cell(find(entry.getValue(), "gradient (" + order + ")")));
      }
      table.append(" | ").append(cell(find(entry.getValue(), "oracle"))).append(" |\n");
    }
    System.out.print(table);
  }

  private static RunResult find(List<RunResult> results, String prefix) {
    for (RunResult r : results) {
      if (r.contender().name().startsWith(prefix)) {
        return r;
      }
    }
    throw new IllegalStateException("no result for " + prefix);
  }

  private static String cell(RunResult r) {
    return String.format(Locale.ROOT, "%.1f (%.3f)",
        r.endToEndMillis(Priority.NORMAL, 0.99), r.goodput(Priority.NORMAL));
  }
}
