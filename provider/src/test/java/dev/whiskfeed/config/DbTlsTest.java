package dev.whiskfeed.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.pgclient.SslMode;
import org.junit.jupiter.api.Test;

class DbTlsTest {

  private static DbUrl url(String query) {
    return DbUrl.parse("postgresql://app:pw@db.example:5432/orders" + query);
  }

  @Test
  void withoutSslmodeTheConnectionPrefersTlsAsLibpqDoes() {
    assertThat(url("").tls()).isEqualTo(new DbTls(SslMode.PREFER, null));
    assertThat(url("").jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5432/orders?sslmode=prefer");
  }

  @Test
  void everyLibpqModeIsUnderstoodAndPassedToPgjdbc() {
    for (String mode : new String[] {"disable", "allow", "prefer", "require"}) {
      assertThat(url("?sslmode=" + mode).jdbcUrl()).endsWith("/orders?sslmode=" + mode);
    }
    assertThat(url("?sslmode=verify-ca").tls().mode()).isEqualTo(SslMode.VERIFY_CA);
    assertThat(url("?sslmode=verify-full").tls().verifiesHost()).isTrue();
  }

  @Test
  void verifyModesWithoutARootCertificateTrustTheJvmStoreNotHomeDirectoryFiles() {
    assertThat(url("?sslmode=verify-full").jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5432/orders"
        + "?sslmode=verify-full&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory");
    assertThat(url("?sslmode=verify-ca").jdbcUrl()).endsWith("sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory");
  }

  @Test
  void aRootCertificateIsPassedOnAndMakesRequireVerifyTheChain() {
    DbUrl full = url("?sslmode=verify-full&sslrootcert=/etc/whiskfeed/ca%20bundle.pem");
    assertThat(full.tls()).isEqualTo(new DbTls(SslMode.VERIFY_FULL, "/etc/whiskfeed/ca bundle.pem"));
    assertThat(full.jdbcUrl()).endsWith("?sslmode=verify-full&sslrootcert=%2Fetc%2Fwhiskfeed%2Fca+bundle.pem");
    DbUrl require = url("?sslmode=require&sslrootcert=/ca.pem");
    assertThat(require.tls()).isEqualTo(new DbTls(SslMode.VERIFY_CA, "/ca.pem"));
    assertThat(require.jdbcUrl()).endsWith("?sslmode=verify-ca&sslrootcert=%2Fca.pem");
  }

  @Test
  void aRequirementThatCannotMeanAnythingIsRefused() {
    assertThatThrownBy(() -> url("?sslmode=verify_full")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full");
    assertThatThrownBy(() -> url("?sslmode=prefer&sslrootcert=/ca.pem")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sslrootcert needs sslmode require, verify-ca or verify-full");
    assertThatThrownBy(() -> url("?sslrootcert=/ca.pem")).hasMessageContaining("sslmode prefer verifies nothing");
    assertThatThrownBy(() -> url("?ssl=true")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unsupported parameter ssl in the database URL (supported: sslmode, sslrootcert, pooler)");
    assertThatThrownBy(() -> url("?sslmode=require&sslmode=disable")).hasMessageContaining("given twice");
    assertThatThrownBy(() -> url("?sslmode")).hasMessageContaining("without a value");
    assertThatThrownBy(() -> url("?sslmode=verify-full&sslrootcert=")).hasMessageContaining("sslrootcert is empty");
  }

  @Test
  void aTransactionPoolerIsSaidInTheUrlAndTurnsOffPgjdbcsServerSidePreparedStatements() {
    DbUrl pooled = url("?sslmode=require&pooler=transaction");
    assertThat(pooled.transactionPooler()).isTrue();
    assertThat(pooled.tls()).isEqualTo(new DbTls(SslMode.REQUIRE, null));
    assertThat(pooled.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5432/orders?sslmode=require&prepareThreshold=0");
    assertThat(url("?sslmode=require").transactionPooler()).isFalse();
    assertThat(url("").jdbcUrl()).doesNotContain("prepareThreshold");
  }

  @Test
  void aPoolerModeOtherThanTransactionIsRefused() {
    assertThatThrownBy(() -> url("?pooler=session")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pooler must be transaction").hasMessageContaining("not 'session'");
    assertThatThrownBy(() -> url("?pooler=")).hasMessageContaining("pooler must be transaction");
  }
}
