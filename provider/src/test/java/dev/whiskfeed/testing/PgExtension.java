package dev.whiskfeed.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves a {@link TestPostgres} parameter (constructor, {@code @BeforeAll}, {@code @BeforeEach}, {@code @Test}).
 *
 * <p>One Postgres server serves the whole JVM: it starts on first use and stops when the test run ends (it lives in
 * the root store, which closes it). Where it comes from, in order: the system property {@code whiskfeed.test.dbUrl}
 * (an existing server whose user may CREATE DATABASE), Testcontainers when Docker answers, else an embedded Postgres.
 * Tests isolate themselves with {@link TestPostgres#newDatabase()}, not by cleaning tables.
 */
public final class PgExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PgExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestPostgres.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(SharedPostgres.class, key -> SharedPostgres.start(), SharedPostgres.class)
        .postgres();
  }
}
