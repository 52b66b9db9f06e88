package dev.orchard.server.web.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 4180 CSV with a header row, read into one map per record (header name → value). Strict: every column must be
 * one the import knows (named once), flags must be true or false; a byte-order mark (Excel's "CSV UTF-8") is
 * accepted and dropped.
 */
final class Csv {

    private Csv() {
    }

    static List<Map<String, String>> parse(String text, java.util.Set<String> columns) {
        if (text != null && text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<List<String>> rows = rows(text == null ? "" : text);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("the CSV is empty; the first line must name the columns");
        }
        List<String> header = rows.get(0).stream().map(String::strip).toList();
        var seen = new java.util.HashSet<String>();
        for (String h : header) {
            if (!columns.contains(h)) {
                throw new IllegalArgumentException("CSV line 1: unknown column '" + h + "'; the columns are "
                        + String.join(", ", new java.util.TreeSet<>(columns)));
            }
            if (!seen.add(h)) {
                throw new IllegalArgumentException("CSV line 1: the column '" + h + "' appears twice");
            }
        }
        var records = new ArrayList<Map<String, String>>();
        for (int i = 1; i < rows.size(); i++) {
            List<String> row = rows.get(i);
            if (row.size() == 1 && row.get(0).isBlank()) {
                continue;
            }
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("CSV line " + (i + 1) + " has " + row.size() + " fields; the header has " + header.size());
            }
            var record = new LinkedHashMap<String, String>();
            for (int c = 0; c < header.size(); c++) {
                String v = row.get(c).strip();
                record.put(header.get(c), v.isEmpty() ? null : v);
            }
            records.add(record);
        }
        return records;
    }

    /** A flag: true/false (also yes/no, 1/0, any case); empty is absent; anything else is refused. */
    static Boolean flag(Map<String, String> record, String column) {
        String v = record.get(column);
        if (v == null) {
            return null;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(column + " must be true or false, not '" + v + "'");
        };
    }

    private static List<List<String>> rows(String text) {
        var rows = new ArrayList<List<String>>();
        var row = new ArrayList<String>();
        var field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    field.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                field.append(ch);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("the CSV ends inside a quoted field");
        }
        if (field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
