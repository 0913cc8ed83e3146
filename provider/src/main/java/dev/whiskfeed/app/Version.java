package dev.whiskfeed.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The provider's version: the Maven project version, written into {@code whiskfeed-version.properties}
 * by resource filtering at build time (no git, nothing hard-coded).
 */
public final class Version {
  private static final String RESOURCE = "/whiskfeed-version.properties";
  private static final String CURRENT = load();

  private Version() {}

  /** E.g. {@code 0.1.0} or {@code 0.1.0-SNAPSHOT}. */
  public static String current() {
    return CURRENT;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      Properties p = new Properties();
      p.load(in);
      String version = p.getProperty("version", "").trim();
      // an unfiltered file (run from sources without Maven's resources step) says so instead of lying
      if (version.isEmpty() || version.contains("${")) {
        throw new IllegalStateException(RESOURCE + " was not filtered by the build: '" + version + "'");
      }
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
