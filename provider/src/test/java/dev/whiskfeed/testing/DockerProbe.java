package dev.whiskfeed.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.testcontainers.DockerClientFactory;

/**
 * Whether Testcontainers can run a container here. Asking Testcontainers directly on a machine without Docker is
 * slow and logs errors, so it is asked only when a Docker endpoint plausibly exists.
 */
final class DockerProbe {

  /** {@code -Dwhiskfeed.test.docker=false} skips Docker even where it runs. */
  static final String DOCKER_PROPERTY = "whiskfeed.test.docker";

  private DockerProbe() {}

  static boolean dockerAvailable() {
    if ("false".equalsIgnoreCase(System.getProperty(DOCKER_PROPERTY))) {
      return false;
    }
    return endpointConfigured() && askTestcontainers();
  }

  private static boolean endpointConfigured() {
    String dockerHost = System.getenv("DOCKER_HOST");
    if (dockerHost != null && !dockerHost.isBlank()) {
      return true;
    }
    Path home = Path.of(System.getProperty("user.home"));
    if (mentionsDockerHost(home.resolve(".testcontainers.properties"))) {
      return true;
    }
    String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
    List<Path> sockets = List.of(
        Path.of("/var/run/docker.sock"),
        home.resolve(".docker/run/docker.sock"),
        home.resolve(".docker/desktop/docker.sock"),
        home.resolve(".colima/default/docker.sock"),
        home.resolve(".rd/docker.sock"),
        Path.of(runtimeDir == null ? "/nonexistent" : runtimeDir, "docker.sock"),
        Path.of(runtimeDir == null ? "/nonexistent" : runtimeDir, "podman/podman.sock"));
    return sockets.stream().anyMatch(Files::exists);
  }

  private static boolean mentionsDockerHost(Path properties) {
    try {
      return Files.isRegularFile(properties) && Files.readString(properties).contains("docker.host");
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean askTestcontainers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }
}
