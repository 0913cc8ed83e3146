package dev.whiskfeed.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Files of the repository (docs/, deploy/, the poms) as the docs and deploy checks read them. */
public final class RepoFiles {
  private static final Path ROOT = findRoot();

  private RepoFiles() {}

  public static Path root() {
    return ROOT;
  }

  public static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  public static String read(String relative) {
    try {
      return Files.readString(path(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every regular file under {@code relative}, sorted. */
  public static List<Path> under(String relative) {
    try (Stream<Path> files = Files.walk(path(relative))) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  public static String relative(Path file) {
    return ROOT.relativize(file).toString();
  }

  /** The reactor root: the first directory upwards from the working directory with deploy/ and docs/. */
  private static Path findRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("deploy")) && Files.isDirectory(d.resolve("docs"))
          && Files.isRegularFile(d.resolve("pom.xml"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root above " + dir);
  }
}
