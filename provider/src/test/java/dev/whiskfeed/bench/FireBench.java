package dev.whiskfeed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.openwhisk.OpenWhiskClient;
import dev.whiskfeed.openwhisk.QualifiedName;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * CPU of the OpenWhisk client alone per fire: fires kept {@code bench.fireConcurrency} in flight
 * from one event loop over at most {@code bench.fireConnections} connections (Vert.x metrics on, as
 * in the provider, unless {@code -Dbench.metrics=false}) at a receiver on a Vert.x of its own; the
 * event loop's thread CPU time (and the kernel's part of it, syscalls) divided by the fires. A
 * thread's CPU time, unlike events/s, hardly moves when other processes share the cores. No database.
 * Run: {@code mvn -B -Pbench verify -pl provider -Dit.test=FireBench}.
 */
class FireBench {
  static final String KEY = "bench-0000-0000-0000-000000000000:benchkey";

  @Test
  void cpuPerFire() throws Exception {
    int fires = Integer.getInteger("bench.fires", 100_000);
    int concurrency = Integer.getInteger("bench.fireConcurrency", 64);
    int connections = Integer.getInteger("bench.fireConnections", 256);
    boolean metrics = Boolean.parseBoolean(System.getProperty("bench.metrics", "true"));
    Vertx receiverVertx = Vertx.vertx();
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(false)
            .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(metrics)))
        .withMetrics(new MicrometerMetricsFactory(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
        .build();
    try (Receiver receiver = Receiver.start(receiverVertx)) {
      OpenWhiskClient client = new OpenWhiskClient(WebClient.create(vertx, new WebClientOptions().setKeepAlive(true)
          .setUserAgent("whiskfeed"), new PoolOptions().setHttp1MaxSize(connections)), URI.create(receiver.url()));
      Context context = vertx.getOrCreateContext();
      for (int rep = 0; rep < 8; rep++) {
        boolean warmUp = rep < 3;
        long[] cpu = run(context, client, fires, concurrency);
        System.out.printf("BENCH %sfire: %d fires, %d in flight, %d connections, metrics %s: %.1f µs client "
                + "event-loop CPU per fire, of which in the kernel %.1f µs (%.0f fires/s)%n",
            warmUp ? "(warm-up, not counted) " : "", fires, concurrency, connections, metrics ? "on" : "off",
            cpu[0] / 1e3 / fires, cpu[2] / 1e3 / fires, fires / (cpu[1] / 1e9));
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      receiverVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** The calling thread's CPU time in the kernel (ns), in clock ticks of 10 ms; -1 where there is no /proc. */
  private static long kernelNanos() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[12]) * 10_000_000L; // stime, the 15th field of stat(5)
    } catch (Exception e) {
      return -1;
    }
  }

  /** The event loop's CPU time (ns) over the run, the run's wall time (ns) and its kernel CPU time (ns). */
  private static long[] run(Context context, OpenWhiskClient client, int fires, int concurrency) throws Exception {
    Promise<long[]> done = Promise.promise();
    AtomicLong started = new AtomicLong();
    AtomicLong answered = new AtomicLong();
    context.runOnContext(v -> {
      long thread = Thread.currentThread().getId();
      long cpu0 = ManagementFactory.getThreadMXBean().getThreadCpuTime(thread);
      long kernel0 = kernelNanos();
      long t0 = System.nanoTime();
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        long n = started.incrementAndGet();
        if (n > fires) return;
        client.fire(new QualifiedName("bench", "t" + n % 20), KEY, Buffer.buffer("{\"n\":" + n + "}"),
                Long.toString(n), Duration.ofSeconds(30))
            .onComplete(ar -> {
              assertThat(ar.succeeded()).as(String.valueOf(ar.cause())).isTrue();
              if (answered.incrementAndGet() == fires) {
                done.complete(new long[] {ManagementFactory.getThreadMXBean().getThreadCpuTime(thread) - cpu0,
                    System.nanoTime() - t0, kernelNanos() - kernel0});
              } else {
                next[0].run();
              }
            });
      };
      for (int i = 0; i < concurrency; i++) next[0].run();
    });
    return done.future().toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
  }
}
