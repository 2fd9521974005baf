package org.lafsfs.core.dirnode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;

/**
 * Child metadata as JSON, written exactly as Tahoe writes it: Python's
 * {@code json.dumps} with its defaults (dirnode.py uses jsonbytes.dumps, which
 * only adds bytes support). That means {@code ", "} and {@code ": "} as
 * separators, keys in insertion order, every character outside printable
 * ASCII escaped as {@code \\uXXXX} (lowercase hex, UTF-16 surrogate pairs),
 * and floats spelled as Python's {@code repr}. Byte identity matters: an
 * unchanged directory must repack to the same bytes.
 */
public final class MetadataJson {
    /** Reads what Python's json.loads reads: NaN and Infinity included, nothing after the value. */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private MetadataJson() {
    }

    /**
     * Parses a child's metadata, which must be a JSON object. Keys keep their
     * order; a repeated key keeps its first position and its last value, as in Python.
     *
     * @throws IllegalArgumentException if the bytes are not a JSON object
     */
    public static ObjectNode parse(byte[] json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("metadata cannot be read: " + e.getMessage(), e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("metadata must be a JSON object, not " + describe(node));
        }
        return object;
    }

    /** The JSON text Python's {@code json.dumps(value)} gives for the same value. */
    public static String dumps(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    writeString(field.getKey(), out);
                    out.append(": ");
                    write(field.getValue(), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> out.append(node.isIntegralNumber() ? node.bigIntegerValue().toString()
                    : floatRepr(node.doubleValue()));
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("metadata cannot hold " + describe(node));
        }
    }

    /** Python's ensure_ascii string encoding. */
    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c >= ' ' && c <= '~') {
                        out.append(c);
                    } else {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * A float as Python's {@code repr} (and so json.dumps) spells it: the
     * shortest digits that read back as the same double, in positional
     * notation when the decimal point falls between 10^-4 and 10^16
     * ({@code 1700000000.123456}, {@code 1.0}, {@code 0.0001}) and in
     * exponent notation outside it ({@code 1e+16}, {@code 1e-05}). JSON's
     * NaN and infinities are spelled as Python's json module spells them.
     *
     * <p>Java 17's {@link Double#toString} does not always give the shortest
     * digits (JDK-4511638, fixed in 19), so they are searched for here.
     */
    static String floatRepr(double value) {
        // Every pack re-spells every child's link times, and the search below is slow: remember answers.
        long bits = Double.doubleToRawLongBits(value);
        String known = REPR_MEMO.get(bits);
        if (known == null) {
            known = computeFloatRepr(value);
            if (REPR_MEMO.size() > 100_000) {
                REPR_MEMO.clear();
            }
            REPR_MEMO.put(bits, known);
        }
        return known;
    }

    private static final java.util.concurrent.ConcurrentHashMap<Long, String> REPR_MEMO =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static String computeFloatRepr(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        String sign = Double.doubleToRawLongBits(value) < 0 ? "-" : "";
        if (value == 0) {
            return sign + "0.0";
        }
        BigDecimal shortest = shortestDigits(Math.abs(value)).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int n = digits.length();
        int point = n - shortest.scale(); // value = 0.<digits> * 10^point
        StringBuilder out = new StringBuilder(sign);
        if (point <= -4 || point > 16) {
            out.append(digits.charAt(0));
            if (n > 1) {
                out.append('.').append(digits, 1, n);
            }
            int exponent = point - 1;
            out.append('e').append(exponent < 0 ? '-' : '+');
            if (Math.abs(exponent) < 10) {
                out.append('0');
            }
            out.append(Math.abs(exponent));
        } else if (point <= 0) {
            out.append("0.").append("0".repeat(-point)).append(digits);
        } else if (point >= n) {
            out.append(digits).append("0".repeat(point - n)).append(".0");
        } else {
            out.append(digits, 0, point).append('.').append(digits, point, n);
        }
        return out.toString();
    }

    /**
     * The fewest significant digits that read back as {@code x} (positive and
     * finite); among those, the nearest to {@code x}. At a power of two the
     * doubles below are twice as dense as those above, so the nearest
     * candidate of a length can miss while the one on the other side hits.
     */
    private static BigDecimal shortestDigits(double x) {
        BigDecimal exact = new BigDecimal(x);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (Double.parseDouble(nearest.toString()) == x) {
                return nearest;
            }
            RoundingMode otherSide = nearest.compareTo(exact) < 0 ? RoundingMode.CEILING : RoundingMode.FLOOR;
            BigDecimal other = exact.round(new MathContext(precision, otherSide));
            if (Double.parseDouble(other.toString()) == x) {
                return other;
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)); // 17 digits always suffice
    }

    private static String describe(JsonNode node) {
        return node == null || node.isMissingNode() ? "nothing" : node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
