package dev.whiskfeed.bench;

import java.util.Arrays;
import java.util.Locale;

/** How the benchmarks print repeated figures: the median, then the min-max, at a chosen precision. */
final class Spread {
  private Spread() {}

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** {@code median (min-max)} with {@code decimals} digits after the point. */
  static String of(double[] v, int decimals) {
    String f = "%." + decimals + "f";
    return String.format(Locale.ROOT, f + " (" + f + "-" + f + ")", median(v), Arrays.stream(v).min().orElse(0),
        Arrays.stream(v).max().orElse(0));
  }
}
