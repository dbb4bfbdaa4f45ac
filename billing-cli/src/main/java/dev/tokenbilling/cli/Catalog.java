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
import dev.tokenbilling.model.TierDefinition;
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
 * What {@code billing seed} upserts: subscription tiers and token packages. The built-in catalog is
 * {@link DefaultCatalog} (the Explorer, Plus and Pro tiers and the three default packs); a file is YAML or JSON.
 *
 * <pre>
 * tiers:                     # optional
 *   - slug: plus
 *     name: Plus
 *     monthlyPrice: "10.00"  # major units; "0" makes a free tier
 *     yearlyPrice: "100.00"  # optional
 *     tokensPerPeriod: 600000
 *     rolloverCap: 100000    # optional
 * packages:
 *   - slug: starter-100k
 *     name: Starter
 *     tokenAmount: 100000
 *     price: "5.00"          # major units; currency defaults to USD
 *     description: 100,000 AI tokens - perfect for occasional extra requests
 * </pre>
 *
 * Optional package fields: {@code packageType} (default: the slug up to its first '-'), {@code currency},
 * {@code description}, {@code active} (default true), {@code sortOrder} (default: position in the file),
 * {@code validityDays} (how long purchased tokens stay valid; default: they never expire). Optional tier
 * fields: {@code yearlyPrice}, {@code currency} (of both prices), {@code rolloverCap} (default: unused
 * allowance expires with its period), {@code description}, {@code active}, {@code sortOrder}. A file
 * needs {@code packages}, {@code tiers} or both; a top-level list is a list of packages.
 * A problem is reported with the file's line: {@code catalog.yaml:7: ...}.
 *
 * @param tiers    the tiers, in file order (empty when the file has none)
 * @param packages the packages, in file order (empty when the file has only tiers)
 */
public record Catalog(List<TierEntry> tiers, List<Entry> packages) {

    /** A package definition and the line it starts on (0 for the built-in catalog). */
    public record Entry(PackageDefinition definition, int line) {}

    /** A tier definition and the line it starts on (0 for the built-in catalog). */
    public record TierEntry(TierDefinition definition, int line) {}

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
    private static final Set<String> TIER_FIELDS = Set.of(
            "slug",
            "name",
            "monthlyPrice",
            "yearlyPrice",
            "currency",
            "tokensPerPeriod",
            "rolloverCap",
            "description",
            "active",
            "sortOrder");
    private static final Map<String, String> TIER_ALIASES = Map.of(
            "monthly_price",
            "monthlyPrice",
            "yearly_price",
            "yearlyPrice",
            "tokens_per_period",
            "tokensPerPeriod",
            "tokens",
            "tokensPerPeriod",
            "rollover_cap",
            "rolloverCap",
            "sort_order",
            "sortOrder",
            "is_active",
            "active",
            "isActive",
            "active");

    /** What a list of the file holds: its items' name, fields and aliases. */
    private enum Kind {
        PACKAGE(
                "package",
                "packages",
                FIELDS,
                ALIASES,
                "slug, name, tokenAmount and price",
                "slug, name, packageType, tokenAmount, price, currency, description, active, sortOrder, validityDays"),
        TIER(
                "tier",
                "tiers",
                TIER_FIELDS,
                TIER_ALIASES,
                "slug, name, monthlyPrice and tokensPerPeriod",
                "slug, name, monthlyPrice, yearlyPrice, currency, tokensPerPeriod, rolloverCap, description, active,"
                        + " sortOrder");

        final String noun;
        final String list;
        final Set<String> fields;
        final Map<String, String> aliases;
        final String required;
        final String all;

        Kind(String noun, String list, Set<String> fields, Map<String, String> aliases, String required, String all) {
            this.noun = noun;
            this.list = list;
            this.fields = fields;
            this.aliases = aliases;
            this.required = required;
            this.all = all;
        }
    }

    public Catalog {
        tiers = List.copyOf(tiers);
        packages = List.copyOf(packages);
    }

    /** The default catalog: the Explorer, Plus and Pro tiers, and the Starter, Booster and Power packs. */
    public static Catalog defaults() {
        return new Catalog(
                DefaultCatalog.tiers().stream()
                        .map(definition -> new TierEntry(definition, 0))
                        .toList(),
                DefaultCatalog.packages().stream()
                        .map(definition -> new Entry(definition, 0))
                        .toList());
    }

    /** Reads a catalog file; any problem is a usage {@link CliException} with {@code file:line:}. */
    public static Catalog load(Path file) {
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
    public static Catalog parse(String text, String source, boolean json) {
        JsonFactory factory = json ? new JsonFactory() : new YAMLFactory();
        ObjectMapper mapper = new ObjectMapper(factory).enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        String format = json ? "JSON" : "YAML";
        try (JsonParser parser = factory.createParser(text)) {
            parser.setCodec(mapper);
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw problem(
                        source,
                        1,
                        "the catalog is empty: expected 'packages:' with a list of packages (and optionally 'tiers:')");
            }
            if (first == JsonToken.START_OBJECT) {
                List<TierEntry> tiers = null;
                List<Entry> packages = null;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    int line = line(parser);
                    JsonToken value = parser.nextToken();
                    Kind kind;
                    if (field.equals("packages")) {
                        kind = Kind.PACKAGE;
                    } else if (field.equals("tiers")) {
                        kind = Kind.TIER;
                    } else {
                        throw problem(
                                source,
                                line,
                                "unknown top-level field '" + field + "': expected 'packages' or 'tiers'");
                    }
                    if ((kind == Kind.PACKAGE ? packages : tiers) != null) {
                        throw problem(source, line, "'" + field + "' is given twice");
                    }
                    if (value != JsonToken.START_ARRAY) {
                        throw problem(source, line, "'" + field + "' must be a list of " + kind.list);
                    }
                    if (kind == Kind.PACKAGE) {
                        packages = packages(parser, source);
                    } else {
                        tiers = tiers(parser, source, line);
                    }
                }
                if (packages == null && tiers == null) {
                    throw problem(
                            source,
                            line(parser),
                            "expected 'packages' with a list of packages (and optionally 'tiers' with a list of tiers)");
                }
                return new Catalog(tiers == null ? List.of() : tiers, packages == null ? List.of() : packages);
            }
            if (first == JsonToken.START_ARRAY) {
                return new Catalog(List.of(), packages(parser, source));
            }
            throw problem(
                    source,
                    line(parser),
                    "expected 'packages:' with a list of packages (and optionally 'tiers:' with a list of tiers)");
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
            throw problem(source, line, "malformed " + format + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw CliException.usage("catalog " + source + " cannot be read: " + e.getMessage());
        }
    }

    /** One item of a list: its fields (by their canonical names) and the line of each. */
    private record Item(Map<String, JsonNode> fields, Map<String, Integer> lines, int line, int index) {}

    /** Reads the objects of a list up to its end, refusing unknown and repeated fields. */
    private static List<Item> items(JsonParser parser, String source, Kind kind) throws IOException {
        List<Item> items = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            int index = items.size() + 1;
            int line = line(parser);
            if (token != JsonToken.START_OBJECT) {
                throw problem(source, line, kind.noun + " " + index + " must be an object with " + kind.required);
            }
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            Map<String, Integer> lines = new HashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String written = parser.currentName();
                int fieldLine = line(parser);
                String field = kind.aliases.getOrDefault(written, written);
                if (!kind.fields.contains(field)) {
                    throw problem(
                            source,
                            fieldLine,
                            kind.noun + " " + index + ": unknown field '" + written + "'; expected one of " + kind.all);
                }
                if (fields.containsKey(field)) {
                    throw problem(
                            source, fieldLine, kind.noun + " " + index + ": field '" + written + "' is given twice");
                }
                parser.nextToken();
                fields.put(field, parser.readValueAsTree());
                lines.put(field, fieldLine);
            }
            items.add(new Item(fields, lines, line, index));
        }
        return items;
    }

    private static List<Entry> packages(JsonParser parser, String source) throws IOException {
        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> slugs = new HashMap<>();
        for (Item item : items(parser, source, Kind.PACKAGE)) {
            Entry entry = entry(item.fields(), item.lines(), source, item.line(), item.index());
            unique(slugs, entry.definition().slug(), source, item, Kind.PACKAGE);
            entries.add(entry);
        }
        if (entries.isEmpty()) {
            throw problem(source, line(parser), "the catalog has no packages");
        }
        return entries;
    }

    private static List<TierEntry> tiers(JsonParser parser, String source, int listLine) throws IOException {
        List<TierEntry> entries = new ArrayList<>();
        Map<String, Integer> slugs = new HashMap<>();
        for (Item item : items(parser, source, Kind.TIER)) {
            TierEntry entry = tier(item, source);
            unique(slugs, entry.definition().slug(), source, item, Kind.TIER);
            entries.add(entry);
        }
        if (entries.isEmpty()) {
            throw problem(source, listLine, "'tiers' is an empty list: leave it out for a catalog without tiers");
        }
        return entries;
    }

    private static void unique(Map<String, Integer> slugs, String slug, String source, Item item, Kind kind) {
        Integer earlier = slugs.putIfAbsent(slug, item.line());
        if (earlier != null) {
            throw problem(
                    source,
                    item.line(),
                    kind.noun + " " + item.index() + ": slug '" + slug + "' is already used on line " + earlier);
        }
    }

    private static TierEntry tier(Item item, String source) {
        Map<String, JsonNode> fields = item.fields();
        Map<String, Integer> lines = item.lines();
        int line = item.line();
        String slug = text(fields, lines, "slug", true, source, line, "tier " + item.index());
        String label = "tier " + item.index() + (slug == null ? "" : " ('" + slug + "')");
        String name = text(fields, lines, "name", true, source, line, label);
        Currency currency = currency(fields, lines, source, line, label);
        Money monthly = amount(fields, lines, "monthlyPrice", currency, source, label)
                .orElseThrow(() -> problem(
                        source,
                        line,
                        label + ": 'monthlyPrice' is missing (in major units, e.g. \"10.00\"; \"0\" for a free tier)"));
        Optional<Money> yearly = amount(fields, lines, "yearlyPrice", currency, source, label);
        long tokensPerPeriod = count(fields, lines, "tokensPerPeriod", source, label)
                .orElseThrow(() -> problem(source, line, label + ": 'tokensPerPeriod' is missing"));
        Optional<Long> rolloverCap = count(fields, lines, "rolloverCap", source, label);
        String description = text(fields, lines, "description", false, source, line, label);
        boolean active = active(fields, lines, source, label);
        int sortOrder = sortOrder(fields, lines, source, label, item.index());
        try {
            return new TierEntry(
                    new TierDefinition(
                            slug, name, monthly, yearly, tokensPerPeriod, rolloverCap, description, active, sortOrder),
                    line);
        } catch (InvalidRequestException e) {
            int at = lines.getOrDefault(e.field(), line);
            throw problem(source, at, label + ": " + e.getMessage());
        }
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
        Currency currency = currency(fields, lines, source, line, label);
        Money price = price(fields, lines, currency, source, line, label);
        String description = text(fields, lines, "description", false, source, line, label);
        boolean active = active(fields, lines, source, label);
        int sortOrder = sortOrder(fields, lines, source, label, index);
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

    private static Currency currency(
            Map<String, JsonNode> fields, Map<String, Integer> lines, String source, int line, String label) {
        String currencyCode = text(fields, lines, "currency", false, source, line, label);
        try {
            return Money.currency(currencyCode == null ? "USD" : currencyCode);
        } catch (InvalidRequestException e) {
            throw problem(
                    source,
                    lines.getOrDefault("currency", line),
                    label + ": currency '" + currencyCode + "' is not an ISO 4217 code such as USD");
        }
    }

    private static boolean active(
            Map<String, JsonNode> fields, Map<String, Integer> lines, String source, String label) {
        JsonNode value = fields.get("active");
        if (value == null) {
            return true;
        }
        if (!value.isBoolean()) {
            throw problem(source, lines.get("active"), label + ": active must be true or false, was " + value);
        }
        return value.booleanValue();
    }

    /** The {@code sortOrder} given, else the position in the list. */
    private static int sortOrder(
            Map<String, JsonNode> fields, Map<String, Integer> lines, String source, String label, int index) {
        JsonNode value = fields.get("sortOrder");
        if (value == null) {
            return index;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw problem(source, lines.get("sortOrder"), label + ": sortOrder must be a whole number, was " + value);
        }
        return value.intValue();
    }

    /** An optional whole number of tokens ({@code 600000}, {@code "600,000"}); empty when absent or null. */
    private static Optional<Long> count(
            Map<String, JsonNode> fields, Map<String, Integer> lines, String field, String source, String label) {
        JsonNode value = fields.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        try {
            if (value.isIntegralNumber() && value.canConvertToLong()) {
                return Optional.of(value.longValue());
            }
            if (value.isTextual()) {
                return Optional.of(
                        Long.parseLong(value.asText().trim().replace(",", "").replace("_", "")));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw problem(
                source, lines.get(field), label + ": " + field + " must be a whole number of tokens, was " + value);
    }

    /**
     * An optional amount in major units ({@code 10}, {@code "10.00"}, {@code "$10.00"}); empty when absent
     * or null. Whether it may be zero or must be chargeable is the definition's to say.
     */
    private static Optional<Money> amount(
            Map<String, JsonNode> fields,
            Map<String, Integer> lines,
            String field,
            Currency currency,
            String source,
            String label) {
        JsonNode value = fields.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        int at = lines.get(field);
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
                    source,
                    at,
                    label + ": " + field + " must be an amount in major units such as \"10.00\", was " + value);
        }
        try {
            return Optional.of(Money.ofMajor(field, major, currency));
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
