package dev.tokenbilling.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.model.DefaultCatalog;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The packages {@code billing seed} upserts: the three default packs ({@link DefaultCatalog}), or a YAML/JSON file.
 *
 * <pre>
 * packages:
 *   - slug: starter-100k
 *     name: Starter
 *     tokenAmount: 100000
 *     price: "5.00"          # major units; currency defaults to USD
 *     description: 100,000 AI tokens - perfect for occasional extra requests
 * </pre>
 *
 * Optional fields: {@code packageType} (default: the slug up to its first '-'), {@code currency},
 * {@code description}, {@code active} (default true), {@code sortOrder} (default: position in the file),
 * {@code validityDays} (how long purchased tokens stay valid; default: they never expire).
 * A problem is reported with the file's line: {@code catalog.yaml:7: ...}.
 */
public final class Catalog {

    /** A package definition and the line it starts on (0 for the built-in catalog). */
    public record Entry(PackageDefinition definition, int line) {}

    private static final Set<String> FIELDS = Set.of(
            "slug",
            "name",
            "packageType",
            "tokenAmount",
            "price",
            "currency",
            "description",
            "active",
            "sortOrder",
            "validityDays");
    private static final Map<String, String> ALIASES = Map.of(
            "package_type",
            "packageType",
            "type",
            "packageType",
            "token_amount",
            "tokenAmount",
            "tokens",
            "tokenAmount",
            "sort_order",
            "sortOrder",
            "is_active",
            "active",
            "isActive",
            "active",
            "validity_days",
            "validityDays");

    private Catalog() {}

    /** The default catalog (Starter, Booster, Power), as catalog entries. */
    public static List<Entry> defaults() {
        return DefaultCatalog.packages().stream()
                .map(definition -> new Entry(definition, 0))
                .toList();
    }

    /** Reads a catalog file; any problem is a usage {@link CliException} with {@code file:line:}. */
    public static List<Entry> load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliException.usage("catalog file " + file + " does not exist");
        } catch (IOException e) {
            throw CliException.usage("catalog file " + file + " cannot be read: " + e.getMessage());
        }
        String name = file.getFileName() == null
                ? file.toString()
                : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean json = name.endsWith(".json")
                || (!name.endsWith(".yaml")
                        && !name.endsWith(".yml")
                        && text.stripLeading().matches("(?s)^[\\[{].*"));
        return parse(text, file.toString(), json);
    }

    /** Parses catalog text; {@code source} names it in errors. */
    public static List<Entry> parse(String text, String source, boolean json) {
        JsonFactory factory = json ? new JsonFactory() : new YAMLFactory();
        ObjectMapper mapper = new ObjectMapper(factory).enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        String format = json ? "JSON" : "YAML";
        try (JsonParser parser = factory.createParser(text)) {
            parser.setCodec(mapper);
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw problem(source, 1, "the catalog is empty: expected 'packages:' with a list of packages");
            }
            if (first == JsonToken.START_OBJECT) {
                boolean found = false;
                List<Entry> entries = List.of();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    int line = line(parser);
                    JsonToken value = parser.nextToken();
                    if (!field.equals("packages")) {
                        throw problem(source, line, "unknown top-level field '" + field + "': expected 'packages'");
                    }
                    if (value != JsonToken.START_ARRAY) {
                        throw problem(source, line, "'packages' must be a list of packages");
                    }
                    entries = packages(parser, source);
                    found = true;
                }
                if (!found) {
                    throw problem(source, line(parser), "expected 'packages' with a list of packages");
                }
                return entries;
            }
            if (first == JsonToken.START_ARRAY) {
                return packages(parser, source);
            }
            throw problem(source, line(parser), "expected 'packages:' with a list of packages");
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
            throw problem(source, line, "malformed " + format + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw CliException.usage("catalog " + source + " cannot be read: " + e.getMessage());
        }
    }

    private static List<Entry> packages(JsonParser parser, String source) throws IOException {
        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> slugs = new HashMap<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            int index = entries.size() + 1;
            int line = line(parser);
            if (token != JsonToken.START_OBJECT) {
                throw problem(
                        source, line, "package " + index + " must be an object with slug, name, tokenAmount and price");
            }
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            Map<String, Integer> lines = new HashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String written = parser.currentName();
                int fieldLine = line(parser);
                String field = ALIASES.getOrDefault(written, written);
                if (!FIELDS.contains(field)) {
                    throw problem(
                            source,
                            fieldLine,
                            "package " + index + ": unknown field '" + written + "'; expected one of "
                                    + "slug, name, packageType, tokenAmount, price, currency, description, active, sortOrder, validityDays");
                }
                if (fields.containsKey(field)) {
                    throw problem(source, fieldLine, "package " + index + ": field '" + written + "' is given twice");
                }
                parser.nextToken();
                fields.put(field, parser.readValueAsTree());
                lines.put(field, fieldLine);
            }
            Entry entry = entry(fields, lines, source, line, index);
            Integer earlier = slugs.putIfAbsent(entry.definition().slug(), line);
            if (earlier != null) {
                throw problem(
                        source,
                        line,
                        "package " + index + ": slug '" + entry.definition().slug() + "' is already used on line "
                                + earlier);
            }
            entries.add(entry);
        }
        if (entries.isEmpty()) {
            throw problem(source, line(parser), "the catalog has no packages");
        }
        return entries;
    }

    private static Entry entry(
            Map<String, JsonNode> fields, Map<String, Integer> lines, String source, int line, int index) {
        String slug = text(fields, lines, "slug", true, source, line, "package " + index);
        String label = "package " + index + (slug == null ? "" : " ('" + slug + "')");
        String name = text(fields, lines, "name", true, source, line, label);
        String packageType = text(fields, lines, "packageType", false, source, line, label);
        if (packageType == null && slug != null) {
            packageType = slug.contains("-") ? slug.substring(0, slug.indexOf('-')) : slug;
        }
        long tokens = tokens(fields, lines, source, line, label);
        String currencyCode = text(fields, lines, "currency", false, source, line, label);
        Currency currency;
        try {
            currency = Money.currency(currencyCode == null ? "USD" : currencyCode);
        } catch (InvalidRequestException e) {
            throw problem(
                    source,
                    lines.getOrDefault("currency", line),
                    label + ": currency '" + currencyCode + "' is not an ISO 4217 code such as USD");
        }
        Money price = price(fields, lines, currency, source, line, label);
        String description = text(fields, lines, "description", false, source, line, label);
        boolean active = true;
        if (fields.containsKey("active")) {
            JsonNode value = fields.get("active");
            if (!value.isBoolean()) {
                throw problem(source, lines.get("active"), label + ": active must be true or false, was " + value);
            }
            active = value.booleanValue();
        }
        int sortOrder = index;
        if (fields.containsKey("sortOrder")) {
            JsonNode value = fields.get("sortOrder");
            if (!value.canConvertToInt() || !value.isIntegralNumber()) {
                throw problem(
                        source, lines.get("sortOrder"), label + ": sortOrder must be a whole number, was " + value);
            }
            sortOrder = value.intValue();
        }
        Optional<Integer> validityDays = Optional.empty();
        JsonNode validity = fields.get("validityDays");
        if (validity != null && !validity.isNull()) {
            if (!validity.isIntegralNumber() || !validity.canConvertToInt() || validity.intValue() <= 0) {
                throw problem(
                        source,
                        lines.get("validityDays"),
                        label + ": validityDays must be a positive whole number of days"
                                + " (leave it out for tokens that never expire), was " + validity);
            }
            validityDays = Optional.of(validity.intValue());
        }
        try {
            return new Entry(
                    new PackageDefinition(
                            slug, name, packageType, tokens, price, description, active, sortOrder, validityDays),
                    line);
        } catch (InvalidRequestException e) {
            int at = lines.getOrDefault(e.field(), line);
            throw problem(source, at, label + ": " + e.getMessage());
        }
    }

    private static String text(
            Map<String, JsonNode> fields,
            Map<String, Integer> lines,
            String field,
            boolean required,
            String source,
            int line,
            String label) {
        JsonNode value = fields.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw problem(source, line, label + ": '" + field + "' is missing");
            }
            return null;
        }
        if (!value.isValueNode() || value.isBoolean()) {
            throw problem(source, lines.get(field), label + ": " + field + " must be text, was " + value);
        }
        return value.asText();
    }

    private static long tokens(
            Map<String, JsonNode> fields, Map<String, Integer> lines, String source, int line, String label) {
        JsonNode value = fields.get("tokenAmount");
        if (value == null || value.isNull()) {
            throw problem(source, line, label + ": 'tokenAmount' is missing");
        }
        try {
            if (value.isIntegralNumber() && value.canConvertToLong()) {
                return value.longValue();
            }
            if (value.isTextual()) {
                return Long.parseLong(value.asText().trim().replace(",", "").replace("_", ""));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw problem(
                source,
                lines.get("tokenAmount"),
                label + ": tokenAmount must be a whole number of tokens, was " + value);
    }

    private static Money price(
            Map<String, JsonNode> fields,
            Map<String, Integer> lines,
            Currency currency,
            String source,
            int line,
            String label) {
        JsonNode value = fields.get("price");
        if (value == null || value.isNull()) {
            throw problem(source, line, label + ": 'price' is missing (in major units, e.g. \"5.00\")");
        }
        int at = lines.get("price");
        BigDecimal major;
        try {
            if (value.isNumber()) {
                major = value.decimalValue();
            } else if (value.isTextual()) {
                major = new BigDecimal(value.asText().trim().replace("$", "").replace(",", ""));
            } else {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw problem(
                    source, at, label + ": price must be an amount in major units such as \"5.00\", was " + value);
        }
        try {
            return Money.ofMajor("price", major, currency).requireChargeable("price");
        } catch (InvalidRequestException e) {
            throw problem(source, at, label + ": " + e.getMessage());
        }
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation() == null
                ? 1
                : Math.max(1, parser.currentTokenLocation().getLineNr());
    }

    private static CliException problem(String source, int line, String message) {
        return CliException.usage("catalog " + source + ":" + line + ": " + message);
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").trim();
    }
}
