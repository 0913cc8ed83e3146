package dev.whiskfeed.it;

import dev.whiskfeed.testing.RepoFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The code blocks of a markdown file, and the ones marked for a test: {@code <!-- tested: DocsIT#method -->} or
 * {@code <!-- schema: Name -->} on the line before the opening fence.
 */
final class DocSamples {
  /** A fenced block: its info string ({@code sh}, {@code json}…), the marker before it (or null), its text. */
  record Block(String info, String marker, String text) {}

  private static final Pattern MARKER = Pattern.compile("^<!--\\s*(.+?)\\s*-->$");

  private DocSamples() {}

  static List<Block> blocks(String file) {
    List<Block> out = new ArrayList<>();
    String[] lines = RepoFiles.read(file).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith("```")) continue;
      String info = lines[i].substring(3).trim();
      Matcher m = i > 0 ? MARKER.matcher(lines[i - 1].trim()) : null;
      String marker = m != null && m.matches() ? m.group(1) : null;
      StringBuilder text = new StringBuilder();
      int j = i + 1;
      for (; j < lines.length && !lines[j].startsWith("```"); j++) text.append(lines[j]).append('\n');
      out.add(new Block(info, marker, text.toString()));
      i = j;
    }
    return out;
  }

  /** The block marked {@code tested: DocsIT#name}; fails when the marker is gone, so coverage cannot vanish. */
  static String tested(String file, String name) {
    return blocks(file).stream().filter(b -> ("tested: DocsIT#" + name).equals(b.marker())).map(Block::text)
        .findFirst().orElseThrow(() -> new AssertionError(file + " has no block marked tested: DocsIT#" + name));
  }

  /** Shell commands of the {@code sh} blocks, with backslash continuations joined and comments dropped. */
  static List<String> commands(String file) {
    List<String> out = new ArrayList<>();
    for (Block b : blocks(file)) {
      if (!b.info().equals("sh")) continue;
      StringBuilder command = new StringBuilder();
      for (String line : b.text().split("\n")) {
        String trimmed = line.strip();
        if (command.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) continue;
        if (trimmed.endsWith("\\")) {
          command.append(trimmed, 0, trimmed.length() - 1).append(' ');
        } else {
          out.add(command.append(trimmed).toString().replaceAll("\\s+#[^'\"]*$", ""));
          command.setLength(0);
        }
      }
    }
    return out;
  }

  /** The words bash makes of {@code words} (quotes removed, substitutions run). */
  static List<String> shellWords(String words) {
    Result r = bash("set -- " + words + "\nprintf '%s\\0' \"$@\"", 30);
    if (r.exit() != 0) throw new AssertionError("bash could not split: " + words + "\n" + r.output());
    List<String> out = new ArrayList<>(List.of(r.output().split("\0", -1)));
    out.remove(out.size() - 1);
    return out;
  }

  record Result(int exit, String output) {}

  /** Runs a script with {@code bash -eu -o pipefail}; stdout and stderr together. */
  static Result bash(String script, int timeoutSec) {
    try {
      java.nio.file.Path log = java.nio.file.Files.createTempFile("whiskfeed-sample", ".out");
      try {
        Process p = new ProcessBuilder("bash", "-eu", "-o", "pipefail", "-c", script).redirectErrorStream(true)
            .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("timed out after " + timeoutSec + " s: " + script);
        }
        return new Result(p.exitValue(), java.nio.file.Files.readString(log, StandardCharsets.UTF_8));
      } finally {
        java.nio.file.Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
