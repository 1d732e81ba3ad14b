package dev.lanes.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void anythingButATerminalGetsALinePerFinishedScenario() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (Progress progress = Progress.to(out, 3)) {
      progress.started("a");
      progress.started("a");
      progress.finished("a", false);
      progress.started("b");
      progress.finished("a", true);
      progress.finished("b", true);
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).startsWith("scoreboard: a done; 2/3 runs, 0:");
    assertThat(lines[1]).startsWith("scoreboard: b done; 3/3 runs, 0:");
  }
}
