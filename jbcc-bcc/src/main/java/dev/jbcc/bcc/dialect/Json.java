package dev.jbcc.bcc.dialect;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * clang's AST dump read with jackson-core's streaming parser into plain values: objects become
 * insertion-ordered maps (clang elides a location's file name when it equals the previous one,
 * so document order carries meaning), arrays lists, numbers Long or Double.
 */
final class Json {
    /** An AST nests two JSON levels per tree level: deep expressions exceed jackson's default of 1000. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
            .build();

    private Json() {}

    /** @throws IllegalArgumentException for malformed JSON, with where and what */
    static Object parse(byte[] utf8) {
        try (JsonParser p = FACTORY.createParser(utf8)) {
            JsonToken first = p.nextToken();
            if (first == null) throw new IllegalArgumentException("malformed JSON: no value");
            Object value = value(p, first);
            if (p.nextToken() != null) throw new IllegalArgumentException("malformed JSON at " + where(p) + ": trailing characters");
            return value;
        } catch (IOException e) {
            // jackson's parse errors: the message names the offending token and its location.
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
        }
    }

    private static Object value(JsonParser p, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                var map = new LinkedHashMap<String, Object>();
                for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) map.put(key, value(p, p.nextToken()));
                yield map;
            }
            case START_ARRAY -> {
                var list = new ArrayList<Object>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) list.add(value(p, t));
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("malformed JSON at " + where(p) + ": unexpected " + token);
        };
    }

    private static String where(JsonParser p) {
        return "byte " + p.currentLocation().getByteOffset();
    }
}
