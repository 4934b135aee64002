package dev.landcover.geo.internal.tiff;

import dev.landcover.geo.internal.Xml;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The items of GDAL's GDAL_METADATA TIFF tag (42112), read as GDAL's GTiff driver reads them: the
 * {@code <Item name=".." sample=".." role=".." domain="..">value</Item>} children of a {@code
 * <GDALMetadata>} root. Band descriptions ({@code role="description"}) and colour interpretations
 * ({@code role="colorinterp"}) are read from here.
 *
 * <p>GDAL's rules, followed here: element and attribute names and roles compare without case; an
 * item without a {@code name} attribute or without text is skipped; {@code sample} is read as C's
 * {@code atoi} reads it (absent: -1, the dataset), outside -1 to 65535 the item is skipped; later
 * items replace earlier ones. The value loses its leading white space (GDAL's XML tokenizer skips
 * it; trailing white space stays) and is XML-unescaped twice, once by the XML parser and once more
 * by the driver: GDAL writes {@code a & b} as {@code a &amp;amp; b}. Unescaping knows {@code &lt;},
 * {@code &gt;}, {@code &amp;}, {@code &apos;}, {@code &quot;} (in any case) and numeric references
 * ({@code &#233;}, {@code &#xE9;}), and, as GDAL, cuts the text at any other {@code &}. Attribute
 * values (in double or single quotes) are unescaped once, by the parser. Values are UTF-8, as GDAL
 * writes and returns them.
 */
public final class GdalMetadata {
  private static final Pattern ROOT = Pattern.compile("(?i)^\\s*<GDALMetadata[\\s>/]");
  private static final Pattern ITEM =
      Pattern.compile("(?is)<Item((?:\\s[^<>]*?)?)(?:/>|>([^<]*)</Item\\s*>)");
  private static final Pattern ATTRIBUTE =
      Pattern.compile("([A-Za-z0-9_.:-]+)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')");

  /**
   * One item.
   *
   * @param name its {@code name}
   * @param sample its {@code sample}, 0-based, or -1 for the dataset
   * @param role its {@code role} in lower case, or "" without one
   * @param domain its {@code domain}, or "" without one
   * @param value its text, unescaped as GDAL unescapes it
   */
  public record Item(String name, int sample, String role, String domain, String value) {}

  private final List<Item> items;

  private GdalMetadata(List<Item> items) {
    this.items = List.copyOf(items);
  }

  /**
   * Parses the tag's text, as {@link TiffDirectory#ascii} returns it (one char per byte); null or
   * text that is not GDAL metadata gives no items.
   */
  public static GdalMetadata parse(String tag) {
    List<Item> items = new ArrayList<>();
    if (tag == null || !ROOT.matcher(tag).find()) {
      return new GdalMetadata(items);
    }
    Matcher m = ITEM.matcher(tag);
    while (m.find()) {
      if (m.group(2) == null) {
        continue; // <Item .../>: no text
      }
      Map<String, String> attributes = new HashMap<>();
      Matcher a = ATTRIBUTE.matcher(m.group(1));
      while (a.find()) {
        String value = unescape(a.group(2) != null ? a.group(2) : a.group(3));
        attributes.putIfAbsent(a.group(1).toLowerCase(Locale.ROOT), value);
      }
      String name = attributes.get("name");
      String text = stripLeading(m.group(2));
      if (name == null || text.isEmpty()) {
        continue;
      }
      String sampleText = attributes.get("sample");
      long sample = sampleText == null ? -1 : atoi(sampleText);
      if (sample < -1 || sample > 65535) {
        continue;
      }
      items.add(
          new Item(
              utf8(name),
              (int) sample,
              attributes.getOrDefault("role", "").toLowerCase(Locale.ROOT),
              utf8(attributes.getOrDefault("domain", "")),
              utf8(unescape(unescape(text)))));
    }
    return new GdalMetadata(items);
  }

  /** The items, in file order. */
  public List<Item> items() {
    return items;
  }

  /**
   * The value of the last item of {@code role} (lower case) for sample {@code sample} (0-based), or
   * null when there is none.
   */
  public String bandValue(int sample, String role) {
    String value = null;
    for (Item i : items) {
      if (i.sample() == sample && i.role().equals(role)) {
        value = i.value();
      }
    }
    return value;
  }

  /**
   * The band descriptions ({@code role="description"}) of {@code bands} bands, "" where a band has
   * none; empty when no band has one.
   */
  public List<String> bandDescriptions(int bands) {
    String[] out = new String[bands];
    boolean any = false;
    for (int b = 0; b < bands; b++) {
      String d = bandValue(b, "description");
      out[b] = d == null ? "" : d;
      any |= d != null;
    }
    return any ? List.of(out) : List.of();
  }

  /**
   * The tag's text for band descriptions, one char per byte (as {@link TiffTagPatcher} writes it),
   * as GDAL writes them: the UTF-8 bytes of each description, XML-escaped twice.
   */
  public static String ofBandDescriptions(List<String> descriptions) {
    StringBuilder sb = new StringBuilder("<GDALMetadata>\n");
    for (int i = 0; i < descriptions.size(); i++) {
      String bytes =
          new String(
              descriptions.get(i).getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
      sb.append("  <Item name=\"DESCRIPTION\" sample=\"")
          .append(i)
          .append("\" role=\"description\">")
          .append(Xml.escape(Xml.escape(bytes)))
          .append("</Item>\n");
    }
    return sb.append("</GDALMetadata>").toString();
  }

  /** C's {@code atoi}: leading white space, a sign, then digits up to the first other char. */
  private static long atoi(String s) {
    int i = 0;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    boolean negative = false;
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    long v = 0;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9' && v < 1_000_000) {
      v = v * 10 + (s.charAt(i) - '0');
      i++;
    }
    return negative ? -v : v;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  private static String stripLeading(String s) {
    int i = 0;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return s.substring(i);
  }

  /**
   * GDAL's {@code CPLUnescapeString(CPLES_XML)} on text of one char per byte: numeric references
   * become their UTF-8 bytes; an unknown or unterminated {@code &} sequence ends the text there.
   */
  static String unescape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '&') {
        out.append(c);
        i++;
        continue;
      }
      String rest = s.substring(i + 1, Math.min(s.length(), i + 7)).toLowerCase(Locale.ROOT);
      if (rest.startsWith("lt;")) {
        out.append('<');
        i += 4;
      } else if (rest.startsWith("gt;")) {
        out.append('>');
        i += 4;
      } else if (rest.startsWith("amp;")) {
        out.append('&');
        i += 5;
      } else if (rest.startsWith("apos;")) {
        out.append('\'');
        i += 6;
      } else if (rest.startsWith("quot;")) {
        out.append('"');
        i += 6;
      } else if (rest.startsWith("#")) {
        boolean hex = rest.startsWith("#x");
        int j = i + (hex ? 3 : 2);
        long v = 0;
        while (j < s.length() && Character.digit(s.charAt(j), hex ? 16 : 10) >= 0) {
          v = Math.min(v * (hex ? 16 : 10) + Character.digit(s.charAt(j), hex ? 16 : 10), 1L << 32);
          j++;
        }
        if (j >= s.length() || s.charAt(j) != ';') {
          break;
        }
        if (v > 0 && v <= Character.MAX_CODE_POINT && (v < 0xD800 || v > 0xDFFF)) {
          out.append(
              new String(
                  new String(Character.toChars((int) v)).getBytes(StandardCharsets.UTF_8),
                  StandardCharsets.ISO_8859_1));
        }
        i = j + 1;
      } else {
        break;
      }
    }
    return out.toString();
  }

  /** Text of one char per byte, decoded as UTF-8. */
  private static String utf8(String bytes) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(bytes.length());
    for (int i = 0; i < bytes.length(); i++) {
      b.write(bytes.charAt(i));
    }
    return b.toString(StandardCharsets.UTF_8);
  }
}
