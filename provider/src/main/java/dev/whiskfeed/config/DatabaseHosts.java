package dev.whiskfeed.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code WHISKFEED_DATABASE_HOSTS}: the hosts a feed's {@code database} URL may name, so the
 * provider does not dial whatever a user names inside the operator's network. Entries are host
 * names ({@code db.example.com}, or an IP literal), {@code *.example.com} (any name below it, not
 * {@code example.com} itself) and CIDR blocks ({@code 10.0.0.0/8}, {@code fd00::/8}).
 *
 * <p>A host is allowed when its name matches a name entry (an IP literal also when it lies in a
 * CIDR block) and, when there is any CIDR entry, every address it resolves to lies in one: a name
 * an attacker controls cannot point into a forbidden range. Empty = the parameter is refused.
 */
public record DatabaseHosts(List<String> names, List<String> suffixes, List<Cidr> blocks) {
  private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*");
  private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern V6 = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");

  public DatabaseHosts {
    names = List.copyOf(names);
    suffixes = List.copyOf(suffixes);
    blocks = List.copyOf(blocks);
  }

  public static DatabaseHosts none() {
    return new DatabaseHosts(List.of(), List.of(), List.of());
  }

  public boolean isEmpty() {
    return names.isEmpty() && suffixes.isEmpty() && blocks.isEmpty();
  }

  /** Whether the addresses a name resolves to must be checked too (there is a CIDR entry). */
  public boolean checksAddresses() {
    return !blocks.isEmpty();
  }

  /** The host (as a URL names it: a name, an IPv4 literal or a bracketed IPv6 literal) by its name alone. */
  public boolean allowsName(String host) {
    String h = normalize(host);
    if (names.contains(h)) return true;
    for (String suffix : suffixes) {
      if (h.endsWith("." + suffix)) return true;
    }
    Optional<InetAddress> literal = literal(h);
    return literal.isPresent() && allowsAddress(literal.get());
  }

  /** An address lies in one of the CIDR blocks. */
  public boolean allowsAddress(InetAddress address) {
    for (Cidr block : blocks) {
      if (block.contains(address)) return true;
    }
    return false;
  }

  /** Every resolved address passes (or there are no CIDR entries); an empty list never does. */
  public boolean allowsAddresses(List<InetAddress> addresses) {
    if (!checksAddresses()) return true;
    return !addresses.isEmpty() && addresses.stream().allMatch(this::allowsAddress);
  }

  /** A comma list of entries; a bad entry throws naming it. */
  public static DatabaseHosts parse(String raw) {
    List<String> names = new ArrayList<>();
    List<String> suffixes = new ArrayList<>();
    List<Cidr> blocks = new ArrayList<>();
    for (String part : raw.split(",")) {
      String given = part.trim();
      String entry = normalize(given);
      if (entry.isEmpty()) continue;
      if (entry.contains("/")) {
        blocks.add(Cidr.parse(entry));
      } else if (entry.startsWith("*.")) {
        String suffix = entry.substring(2);
        if (!HOST_NAME.matcher(suffix).matches()) throw bad(given);
        suffixes.add(suffix);
      } else if (HOST_NAME.matcher(entry).matches() || literal(entry).isPresent()) {
        names.add(entry);
      } else {
        throw bad(given);
      }
    }
    return new DatabaseHosts(names, suffixes, blocks);
  }

  private static IllegalArgumentException bad(String entry) {
    return new IllegalArgumentException("'" + entry + "' is not a host name, *.domain or CIDR block");
  }

  /** Lower case, no trailing dot, no IPv6 brackets; an IP literal in its canonical spelling. */
  static String normalize(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
    Optional<InetAddress> literal = h.contains("/") ? Optional.empty() : literal(h);
    return literal.map(InetAddress::getHostAddress).orElse(h);
  }

  /** The address an IP literal spells; never a DNS lookup (only literals reach getByName). */
  static Optional<InetAddress> literal(String text) {
    if (!V4.matcher(text).matches() && !V6.matcher(text).matches()) return Optional.empty();
    try {
      return Optional.of(InetAddress.getByName(text));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** An address block: {@code prefix} leading bits of {@code network}. */
  public record Cidr(byte[] network, int prefix) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      Optional<InetAddress> address = literal(text.substring(0, slash));
      if (address.isEmpty()) throw bad(text);
      int bits = address.get().getAddress().length * 8;
      int prefix;
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw bad(text);
      }
      if (prefix < 0 || prefix > bits) throw bad(text);
      return new Cidr(address.get().getAddress(), prefix);
    }

    public boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) return false; // an IPv4 block never matches an IPv6 address, nor the reverse
      int shift = a.length * 8 - prefix;
      return new BigInteger(1, a).shiftRight(shift).equals(new BigInteger(1, network).shiftRight(shift));
    }
  }
}
