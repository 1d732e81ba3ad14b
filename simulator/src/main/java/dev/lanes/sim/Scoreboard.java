package dev.lanes.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs every scenario against every contender and writes the comparison: {@code scoreboard.md}
 * and one PNG chart per scenario under {@code img/}. Runs are independent and deterministic, so
 * they run in parallel and the output depends only on the seed.
 *
 * <pre>
 * mvn -q -pl simulator -am -DskipTests package exec:java        # writes docs/scoreboard.md
 * java -cp ... dev.lanes.sim.Scoreboard /tmp/board 7             # another folder and seed
 * </pre>
 */
public final class Scoreboard {

  /** The seed of the published scoreboard. */
  public static final long SEED = 20261127L;

  private Scoreboard() {}

  public static void main(String[] args) throws IOException {
    Path docs = Paths.get(args.length > 0 ? args[0] : "docs");
    long seed = args.length > 1 ? Long.parseLong(args[1]) : SEED;
    long started = System.nanoTime();
    List<Scenario> scenarios = Scenarios.all();
    List<Contender> contenders = Contender.all();
    Map<Scenario, List<RunResult>> results;
    try (Progress progress = Progress.to(System.out, scenarios.size() * contenders.size())) {
      results = run(scenarios, contenders, seed, progress);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Files.createDirectories(docs.resolve("img"));
    for (Map.Entry<Scenario, List<RunResult>> entry : results.entrySet()) {
      Charts.write(entry.getKey(), entry.getValue(), docs.resolve("img")
          .resolve(entry.getKey().name() + ".png"));
    }
    Files.writeString(docs.resolve("scoreboard.md"), ScoreboardReport.render(results, seed));
    System.out.printf("scoreboard: %d scenarios x %d contenders in %.1f s -> %s%n",
        results.size(), contenders.size(), seconds, docs.resolve("scoreboard.md"));
  }

  /** Runs each scenario against each contender, in parallel; results keep the given order. */
  public static Map<Scenario, List<RunResult>> run(
      List<Scenario> scenarios, List<Contender> contenders, long seed) {
    return run(scenarios, contenders, seed, Progress.NONE);
  }

  static Map<Scenario, List<RunResult>> run(
      List<Scenario> scenarios, List<Contender> contenders, long seed, Progress progress) {
    ExecutorService pool = Executors.newFixedThreadPool(
        Math.max(1, Runtime.getRuntime().availableProcessors()));
    try {
      Map<Scenario, List<Future<RunResult>>> pending = new LinkedHashMap<>();
      for (Scenario scenario : scenarios) {
        List<Future<RunResult>> runs = new ArrayList<>();
        AtomicInteger left = new AtomicInteger(contenders.size());
        for (Contender contender : contenders) {
          runs.add(pool.submit(() -> {
            progress.started(scenario.name());
            RunResult result = new Run(scenario, contender, seed).execute();
            progress.finished(scenario.name(), left.decrementAndGet() == 0);
            return result;
          }));
        }
        pending.put(scenario, runs);
      }
      Map<Scenario, List<RunResult>> results = new LinkedHashMap<>();
      for (Map.Entry<Scenario, List<Future<RunResult>>> entry : pending.entrySet()) {
        List<RunResult> runs = new ArrayList<>();
        for (Future<RunResult> run : entry.getValue()) {
          runs.add(run.get());
        }
        results.put(entry.getKey(), runs);
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running the scoreboard", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a simulation run failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
