package dev.whiskfeed.config;

/** A configuration value that stops start-up; the message is one line that names the variable. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String variable, String problem) {
    super(variable + ": " + problem);
  }
}
