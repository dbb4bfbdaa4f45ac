package dev.tokenbilling.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Renders results as an aligned table (default), JSON or CSV. Tables are for people: money as
 * {@code $20.00}, tokens as {@code 500,000}, colors only on a terminal. JSON and CSV are for scripts:
 * exact values (tokens as integers, money as decimal strings, times in ISO-8601 UTC) under stable names.
 */
public final class Output {

    /** Made on first JSON output only: a table never pays for Jackson's mapper. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private static final String RESET = "\u001B[0m";

    /** A color or emphasis for table cells and messages. */
    public enum Style {
        PLAIN(""),
        BOLD("\u001B[1m"),
        DIM("\u001B[2m"),
        RED("\u001B[31m"),
        GREEN("\u001B[32m"),
        YELLOW("\u001B[33m"),
        CYAN("\u001B[36m");

        final String code;

        Style(String code) {
            this.code = code;
        }
    }

    /**
     * One column: its table header, its JSON/CSV field name, the exact value (JSON/CSV) and the text a
     * person reads (table).
     */
    public record Column<T>(
            String header,
            String field,
            Function<T, Object> value,
            Function<T, String> text,
            boolean rightAligned,
            Function<T, Style> style,
            boolean inTable) {

        public static <T> Column<T> of(String header, String field, Function<T, Object> value) {
            return new Column<>(
                    header, field, value, row -> display(value.apply(row)), false, row -> Style.PLAIN, true);
        }

        public static <T> Column<T> tokens(String header, String field, Function<T, Long> value) {
            return new Column<>(
                    header,
                    field,
                    value::apply,
                    row -> Formats.tokens(value.apply(row)),
                    true,
                    row -> value.apply(row) < 0 ? Style.RED : Style.PLAIN,
                    true);
        }

        public static <T> Column<T> text(
                String header, String field, Function<T, Object> value, Function<T, String> text) {
            return new Column<>(header, field, value, text, false, row -> Style.PLAIN, true);
        }

        /** A column shown in tables only (e.g. a human age next to an exact time). */
        public static <T> Column<T> tableOnly(String header, Function<T, String> text) {
            return new Column<>(header, null, row -> null, text, false, row -> Style.PLAIN, true);
        }

        public Column<T> right() {
            return new Column<>(header, field, value, text, true, style, inTable);
        }

        public Column<T> styled(Function<T, Style> rowStyle) {
            return new Column<>(header, field, value, text, rightAligned, rowStyle, inTable);
        }

        /** A field in JSON and CSV only, left out of tables to keep them narrow. */
        public Column<T> hiddenInTable() {
            return new Column<>(header, field, value, text, rightAligned, style, false);
        }

        public boolean tableOnly() {
            return field == null;
        }
    }

    private final PrintWriter out;
    private final PrintWriter err;
    private final OutputFormat format;
    private final boolean color;
    private final boolean terminal;

    public Output(PrintWriter out, PrintWriter err, OutputFormat format, boolean color, boolean terminal) {
        this.out = out;
        this.err = err;
        this.format = format;
        this.color = color;
        this.terminal = terminal;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    public OutputFormat format() {
        return format;
    }

    public boolean isTable() {
        return format == OutputFormat.TABLE;
    }

    public boolean isJson() {
        return format == OutputFormat.JSON;
    }

    /** True when progress may be drawn (a terminal, human output). */
    public boolean showsProgress() {
        return terminal && isTable();
    }

    public String paint(Style style, String text) {
        return color && style != Style.PLAIN ? style.code + text + RESET : text;
    }

    /** A line on standard output. */
    public void line(String text) {
        out.println(text);
        out.flush();
    }

    public void line(Style style, String text) {
        line(paint(style, text));
    }

    /** A note on standard error: never mixed into JSON or CSV. */
    public void note(String text) {
        err.println(text);
        err.flush();
    }

    /** Rows as a table, a JSON array of objects, or CSV with a header line. */
    public <T> void rows(List<Column<T>> columns, List<T> rows, String emptyMessage) {
        switch (format) {
            case JSON -> json(array(columns, rows));
            case CSV -> csv(columns, rows);
            case TABLE -> {
                if (rows.isEmpty()) {
                    line(Style.DIM, emptyMessage);
                } else {
                    table(columns.stream().filter(Column::inTable).toList(), rows);
                }
            }
        }
    }

    /** The rows as JSON objects (table-only columns left out). */
    public static <T> ArrayNode array(List<Column<T>> columns, List<T> rows) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (T row : rows) {
            array.add(object(columns, row));
        }
        return array;
    }

    public static <T> ObjectNode object(List<Column<T>> columns, T row) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (Column<T> column : columns) {
            if (!column.tableOnly()) {
                node.set(column.field(), toJson(column.value().apply(row)));
            }
        }
        return node;
    }

    /** Writes one JSON document to standard output. */
    public void json(JsonNode node) {
        try {
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter(
                            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"));
            out.println(Json.MAPPER
                    .writer(printer)
                    .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .writeValueAsString(node));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A single result: JSON as is; CSV as a header line of its top-level fields and one row (arrays
     * joined with "; ", nested objects as JSON text). Not for tables: commands print those themselves.
     */
    public void document(ObjectNode node) {
        if (format != OutputFormat.CSV) {
            json(node);
            return;
        }
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        node.properties().forEach(field -> {
            names.add(quote(field.getKey()));
            JsonNode value = field.getValue();
            String text;
            if (value.isNull()) {
                text = "";
            } else if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(item -> items.add(item.isValueNode() ? item.asText() : item.toString()));
                text = String.join("; ", items);
            } else if (value.isObject()) {
                text = value.toString();
            } else {
                text = value.asText();
            }
            values.add(quote(text));
        });
        out.println(String.join(",", names));
        out.println(String.join(",", values));
        out.flush();
    }

    public static ObjectNode newObject() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static JsonNode toJson(Object value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value instanceof Optional<?> optional) {
            return toJson(optional.orElse(null));
        }
        if (value == null) {
            return nodes.nullNode();
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        if (value instanceof Long number) {
            return nodes.numberNode(number);
        }
        if (value instanceof Integer number) {
            return nodes.numberNode(number);
        }
        if (value instanceof Boolean flag) {
            return nodes.booleanNode(flag);
        }
        if (value instanceof BigDecimal decimal) {
            return nodes.textNode(decimal.toPlainString());
        }
        if (value instanceof Instant instant) {
            return nodes.textNode(instant.toString());
        }
        return nodes.textNode(value.toString());
    }

    private static String display(Object value) {
        if (value instanceof Optional<?> optional) {
            return display(optional.orElse(null));
        }
        if (value == null) {
            return "";
        }
        if (value instanceof Instant instant) {
            return Formats.time(instant);
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        return value.toString();
    }

    private static String csvValue(Object value) {
        JsonNode node = toJson(value);
        return node.isNull() ? "" : node.asText();
    }

    private <T> void csv(List<Column<T>> columns, List<T> rows) {
        List<Column<T>> exported =
                columns.stream().filter(column -> !column.tableOnly()).toList();
        out.println(String.join(
                ",", exported.stream().map(column -> quote(column.field())).toList()));
        for (T row : rows) {
            out.println(String.join(
                    ",",
                    exported.stream()
                            .map(column -> quote(csvValue(column.value().apply(row))))
                            .toList()));
        }
        out.flush();
    }

    static String quote(String value) {
        if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
            return '"' + value.replace("\"", "\"\"") + '"';
        }
        return value;
    }

    private <T> void table(List<Column<T>> columns, List<T> rows) {
        int[] widths = new int[columns.size()];
        List<String[]> cells = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            widths[c] = columns.get(c).header().length();
        }
        for (T row : rows) {
            String[] line = new String[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                line[c] = columns.get(c).text().apply(row);
                widths[c] = Math.max(widths[c], line[c].length());
            }
            cells.add(line);
        }
        StringBuilder header = new StringBuilder();
        for (int c = 0; c < columns.size(); c++) {
            header.append(
                    pad(columns.get(c).header(), widths[c], columns.get(c).rightAligned(), c == columns.size() - 1));
            if (c < columns.size() - 1) {
                header.append("  ");
            }
        }
        line(Style.BOLD, header.toString().stripTrailing());
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder text = new StringBuilder();
            for (int c = 0; c < columns.size(); c++) {
                Column<T> column = columns.get(c);
                String cell = pad(cells.get(r)[c], widths[c], column.rightAligned(), c == columns.size() - 1);
                text.append(paint(column.style().apply(rows.get(r)), cell));
                if (c < columns.size() - 1) {
                    text.append("  ");
                }
            }
            out.println(text.toString().stripTrailing());
        }
        out.flush();
    }

    private static String pad(String text, int width, boolean right, boolean last) {
        if (text.length() >= width) {
            return text;
        }
        String space = " ".repeat(width - text.length());
        return right ? space + text : last ? text : text + space;
    }

    /** Label/value pairs, aligned: for a single record in table form. */
    public void pairs(List<String[]> pairs) {
        int width = pairs.stream().mapToInt(pair -> pair[0].length()).max().orElse(0);
        for (String[] pair : pairs) {
            out.println(paint(Style.BOLD, pad(pair[0] + ":", width + 1, false, false)) + " " + pair[1]);
        }
        out.flush();
    }
}
