package dev.whiskfeed.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An embedded Postgres of a test's own with TLS on: a CA and a server certificate (for
 * {@code localhost}, {@code 127.0.0.1} and {@code ::1}) made at start, nothing from the repository.
 * Plain-text connections are accepted, except to databases whose name starts with {@code strict_}
 * ({@code hostnossl … reject}). The server logs every connection it authorizes, with whether it
 * was encrypted ({@link #authorizations(String)}).
 */
public final class TlsPostgres implements AutoCloseable {

  private final Path root;
  private final Path caFile;
  private final Path log;
  private final EmbeddedPostgres running;
  private final TestPostgres postgres;

  public TlsPostgres() {
    try {
      root = Files.createTempDirectory("whiskfeed-tls-pg");
      Path certs = Files.createDirectories(root.resolve("certs"));
      caFile = certs.resolve("ca.pem");
      Path certFile = certs.resolve("server.pem");
      Path keyFile = certs.resolve("server.key");
      writeCertificates(caFile, certFile, keyFile);
      Path hba = root.resolve("pg_hba.conf");
      Files.writeString(hba, String.join("\n",
          "local all all trust",
          "hostnossl /^strict_ all all reject",
          "host all all all scram-sha-256",
          "host replication all all scram-sha-256", ""));
      log = root.resolve("postgres.log");
      running = EmbeddedServers.builder(root.resolve("data"), 0, log)
          .setServerConfig("ssl", "on")
          .setServerConfig("ssl_cert_file", certFile.toString())
          .setServerConfig("ssl_key_file", keyFile.toString())
          .setServerConfig("hba_file", hba.toString())
          .setServerConfig("log_connections", "on")
          .start();
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("could not start a Postgres with TLS", e);
    }
    postgres = new TestPostgres(EmbeddedServers.HOST, running.getPort(), EmbeddedServers.SUPER_USER,
        EmbeddedServers.SUPER_PASSWORD, "postgres");
  }

  /** This server seen as a {@link TestPostgres}, to create databases on it. */
  public TestPostgres postgres() {
    return postgres;
  }

  /** The PEM file of the CA that signed the server's certificate. */
  public Path caFile() {
    return caFile;
  }

  /**
   * The server's log lines of the connections it authorized to {@code database} (plain and
   * replication ones); an encrypted one ends with {@code SSL enabled (protocol=…)}.
   */
  public List<String> authorizations(String database) {
    try {
      return Files.readAllLines(log).stream()
          .filter(line -> line.contains("connection authorized:")
              && (line.contains(" database=" + database + " ") || line.endsWith(" database=" + database)))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      running.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      EmbeddedServers.deleteTree(root);
    }
  }

  private static void writeCertificates(Path caFile, Path certFile, Path keyFile)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair caKeys = generator.generateKeyPair();
    KeyPair serverKeys = generator.generateKeyPair();
    Date from = Date.from(Instant.now().minus(Duration.ofDays(1)));
    Date until = Date.from(Instant.now().plus(Duration.ofDays(30)));
    X500Name caName = new X500Name("CN=whiskfeed test CA");
    X509CertificateHolder ca = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, from, until, caName,
        caKeys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()));
    X509CertificateHolder server = new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, from, until,
        new X500Name("CN=localhost"), serverKeys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1")}))
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()));
    Files.writeString(caFile, pem(ca));
    Files.writeString(certFile, pem(server));
    Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(keyFile, pem(new JcaPKCS8Generator(serverKeys.getPrivate(), null).generate()));
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
