package dev.whiskfeed.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The built provider jar running as its own JVM, so a test can kill it the hard way (SIGKILL). */
public final class ProviderProcess implements AutoCloseable {
  private static final Pattern STARTED = Pattern.compile("provider\\.started.*?localhost:(\\d+)");

  private final Process process;
  private final Path log;
  private final int port;

  private ProviderProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** The jar failsafe passes as {@code whiskfeed.providerJar} (built by {@code mvn package}). */
  static Path jar() {
    return Path.of(System.getProperty("whiskfeed.providerJar", "target/whiskfeed-provider.jar"));
  }

  /** Starts the jar with this environment and waits (at most 90 s) until it serves; output goes to {@code log}. */
  public static ProviderProcess start(Map<String, String> env, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar",
        jar().toAbsolutePath().toString()).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      int[] port = new int[1];
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!process.isAlive()) throw new IllegalStateException("provider exited: " + read(log));
        Matcher m = STARTED.matcher(read(log));
        if (!m.find()) return false;
        port[0] = Integer.parseInt(m.group(1));
        return true;
      });
      return new ProviderProcess(process, log, port[0]);
    } catch (RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** The process's resident set size in bytes (Linux). */
  public long residentBytes() throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
        .filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024)
        .findFirst().orElse(-1);
  }

  /** Asks the JVM for a full collection (jcmd GC.run), as a measurement of what stays needs. */
  public void collectGarbage() throws IOException, InterruptedException {
    Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
    new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
  }

  String output() {
    return read(log);
  }

  /** SIGTERM, as a user's Ctrl-C or an orchestrator stops it: a graceful stop; its exit status. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) throw new IllegalStateException("provider did not stop on SIGTERM");
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook runs, no lease is released, nothing is flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("provider survived SIGKILL");
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
