package dev.kairos.factory.core.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputPumpTest {
  private static List<String> pump(String text, OutputPump[] holder) {
    List<String> lines = new ArrayList<>();
    OutputPump p = new OutputPump(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), lines::add);
    p.run();
    holder[0] = p;
    return lines;
  }

  @Test
  void splitsLinesStripsCarriageReturnsAndKeepsAnUnfinishedLastLine() {
    OutputPump[] p = new OutputPump[1];
    assertThat(pump("a\r\nb\n\nc ü", p)).containsExactly("a", "b", "", "c ü");
    assertThat(p[0].tail()).isEqualTo("a\nb\n\nc ü");
  }

  @Test
  void cutsOverlongLinesAndBoundsTheTail() {
    OutputPump[] p = new OutputPump[1];
    StringBuilder text = new StringBuilder("x".repeat(OutputPump.MAX_LINE * 2 + 5)).append('\n');
    for (int i = 0; i < 100; i++) {
      text.append("line ").append(i).append('\n');
    }
    List<String> lines = pump(text.toString(), p);
    assertThat(lines.subList(0, 3)).extracting(String::length).containsExactly(OutputPump.MAX_LINE, OutputPump.MAX_LINE, 5);
    assertThat(p[0].tail().split("\n")).hasSize(OutputPump.TAIL_LINES).startsWith("line 60").endsWith("line 99");
  }

  @Test
  void aFailingConsumerIsReportedAfterTheOutputWasDrained() {
    List<String> seen = new ArrayList<>();
    OutputPump p = new OutputPump(new ByteArrayInputStream("1\n2\n3\n".getBytes(StandardCharsets.UTF_8)), line -> {
      seen.add(line);
      throw new IllegalStateException("listener broke on " + line);
    });
    p.run();
    assertThat(seen).containsExactly("1");
    assertThat(p.tail()).isEqualTo("1\n2\n3");
    assertThatThrownBy(p::rethrowConsumerFailure).hasMessage("listener broke on 1");
  }
}
