package dev.kairos.factory.distros.internal;

import java.util.Comparator;

/**
 * Orders version-like names by runs: runs of digits compare as numbers, other runs as text, so
 * {@code 5.15.0-99-generic < 5.15.0-102-generic} and {@code 5.14.0-70.el9 < 5.14.0-503.el9_5}.
 * Used where names are not semantic versions (RHEL and Fedora kernel directories).
 */
enum NaturalOrder implements Comparator<String> {
  INSTANCE;

  @Override
  public int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      boolean da = Character.isDigit(a.charAt(i));
      boolean db = Character.isDigit(b.charAt(j));
      int ei = run(a, i, da);
      int ej = run(b, j, db);
      int c;
      if (da && db) {
        String x = strip(a.substring(i, ei));
        String y = strip(b.substring(j, ej));
        c = x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
      } else if (da != db) {
        c = da ? 1 : -1; // a number outranks a word at the same place
      } else {
        c = a.substring(i, ei).compareTo(b.substring(j, ej));
      }
      if (c != 0) {
        return c;
      }
      i = ei;
      j = ej;
    }
    int c = Integer.compare(a.length() - i, b.length() - j);
    return c != 0 ? c : a.compareTo(b);
  }

  private static int run(String s, int from, boolean digits) {
    int k = from;
    while (k < s.length() && Character.isDigit(s.charAt(k)) == digits) {
      k++;
    }
    return k;
  }

  private static String strip(String digits) {
    int k = 0;
    while (k < digits.length() - 1 && digits.charAt(k) == '0') {
      k++;
    }
    return digits.substring(k);
  }
}
