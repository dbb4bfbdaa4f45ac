package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /v1/prices}: one-time and recurring prices with {@code lookup_key} (unique among prices; {@code
 * transfer_lookup_key} moves it from the price that has it); retrieve, update, list (filters {@code
 * product}, {@code active}, {@code lookup_keys[]}, {@code type}, {@code currency}), search.
 */
public final class PricesApi {
    private static final Set<String> SEARCH_FIELDS =
            Set.of("active", "created", "currency", "lookup_key", "metadata", "product", "type");

    private final FakeStripeState state;
    private final ProductsApi products;

    /** Over this state. */
    public PricesApi(FakeStripeState state, ProductsApi products) {
        this.state = state;
        this.products = products;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/prices", this::create);
        router.add("GET", "/v1/prices/search", this::search);
        router.add(
                "GET",
                "/v1/prices/{id}",
                r -> Render.one(state, state.store().require("price", r.id(), "id"), r.params()));
        router.add("POST", "/v1/prices/{id}", this::update);
        router.add("GET", "/v1/prices", this::list);
    }

    private ObjectNode create(ApiRequest req) {
        Params p = req.params()
                .allowOnly(
                        "currency",
                        "unit_amount",
                        "unit_amount_decimal",
                        "product",
                        "product_data",
                        "recurring",
                        "lookup_key",
                        "transfer_lookup_key",
                        "nickname",
                        "metadata",
                        "active",
                        "tax_behavior",
                        "billing_scheme",
                        "custom_unit_amount",
                        "currency_options",
                        "tiers",
                        "tiers_mode",
                        "transform_quantity");
        String productId = p.string("product");
        Params productData = p.map("product_data");
        if (productId == null && productData == null) {
            throw StripeApiError.missingParam("product");
        }
        if (productId != null && productData != null) {
            throw StripeApiError.invalidParam(
                    "product_data", "You may only specify one of these parameters: product, product_data.");
        }
        if (productId != null) {
            state.store().require("product", productId, "product");
        }
        validate(p);
        if (productData != null) {
            productData.allowOnly("name", "active", "metadata", "statement_descriptor", "tax_code", "unit_label", "id");
            productId = products.create(productData).get("id").asText();
        }
        return Render.one(state, createFor(productId, p), p);
    }

    private void validate(Params p) {
        PaymentIntentsApi.currency(p.requiredString("currency"), "currency");
        String scheme = p.oneOf("billing_scheme", Set.of("per_unit", "tiered"));
        if ("tiered".equals(scheme)) {
            throw StripeApiError.invalidParam("billing_scheme", "FakeStripe does not emulate tiered prices.");
        }
        if (p.map("custom_unit_amount") == null
                && p.string("unit_amount") == null
                && p.string("unit_amount_decimal") == null) {
            throw StripeApiError.missingParam("unit_amount");
        }
        Long unitAmount = p.integer("unit_amount");
        if (unitAmount != null && unitAmount < 0) {
            throw StripeApiError.invalidParam("unit_amount", "This value must be greater than or equal to 0.");
        }
        lookupKey(p, null);
    }

    /** Creates a price of {@code productId} from price parameters (also {@code default_price_data}). */
    public ObjectNode createFor(String productId, Params p) {
        validate(p);
        ObjectNode price = Templates.blank("price");
        price.put("id", Ids.newId("price"));
        price.put("created", state.now());
        price.put("currency", PaymentIntentsApi.currency(p.requiredString("currency"), "currency"));
        price.put("product", productId);
        Long unitAmount = p.integer("unit_amount");
        String decimal = p.string("unit_amount_decimal");
        if (unitAmount != null) {
            price.put("unit_amount", unitAmount);
            price.put("unit_amount_decimal", String.valueOf(unitAmount));
        } else if (decimal != null) {
            try {
                BigDecimal value = new BigDecimal(decimal);
                price.put("unit_amount_decimal", value.toPlainString());
                if (value.stripTrailingZeros().scale() <= 0) {
                    price.put("unit_amount", value.longValueExact());
                }
            } catch (ArithmeticException | NumberFormatException e) {
                throw StripeApiError.invalidParam("unit_amount_decimal", "Invalid decimal: " + decimal);
            }
        }
        Params custom = p.map("custom_unit_amount");
        if (custom != null) {
            ObjectNode node = Json.object();
            for (String f : new String[] {"maximum", "minimum", "preset"}) {
                Long v = custom.integer(f);
                if (v == null) {
                    node.putNull(f);
                } else {
                    node.put(f, v);
                }
            }
            price.set("custom_unit_amount", node);
        }
        Params recurring = p.map("recurring");
        if (recurring != null) {
            recurring.allowOnly("interval", "interval_count", "usage_type", "meter", "trial_period_days");
            String interval = recurring.oneOf("interval", Set.of("day", "week", "month", "year"));
            if (interval == null) {
                throw StripeApiError.missingParam(recurring.name("interval"));
            }
            ObjectNode node = Json.object();
            node.put("interval", interval);
            Long count = recurring.integer("interval_count");
            node.put("interval_count", count == null ? 1 : count);
            node.putNull("meter");
            Long trial = recurring.integer("trial_period_days");
            if (trial == null) {
                node.putNull("trial_period_days");
            } else {
                node.put("trial_period_days", trial);
            }
            String usage = recurring.oneOf("usage_type", Set.of("licensed", "metered"));
            node.put("usage_type", usage == null ? "licensed" : usage);
            price.set("recurring", node);
            price.put("type", "recurring");
        }
        Updates.text(price, p, "nickname");
        Updates.bool(price, p, "active");
        String taxBehavior = p.oneOf("tax_behavior", Set.of("inclusive", "exclusive", "unspecified"));
        if (taxBehavior != null) {
            price.put("tax_behavior", taxBehavior);
        }
        Updates.applyMetadata(price, p);
        String lookupKey = p.string("lookup_key");
        if (lookupKey != null) {
            transferFromOthers(lookupKey, p);
            price.put("lookup_key", lookupKey);
        }
        state.put(price);
        state.events().publish("price.created", price);
        return price;
    }

    /** Validates {@code lookup_key}: 400 when another price has it and no transfer is asked. */
    private void lookupKey(Params p, String selfId) {
        String key = p.string("lookup_key");
        if (key == null) {
            return;
        }
        if (key.length() > 200) {
            throw StripeApiError.invalidParam("lookup_key", "lookup_key can have up to 200 characters.");
        }
        ObjectNode holder = holderOf(key);
        if (holder != null
                && !holder.get("id").asText().equals(selfId)
                && !Boolean.TRUE.equals(p.bool("transfer_lookup_key"))) {
            throw StripeApiError.invalidRequest(
                    "lookup_key_already_exists",
                    "lookup_key",
                    "A price (`" + holder.get("id").asText() + "`) already uses that lookup key.");
        }
    }

    private ObjectNode holderOf(String key) {
        List<ObjectNode> found = state.store().newestFirst("price", pr -> key.equals(Json.text(pr, "lookup_key")));
        return found.isEmpty() ? null : found.get(0);
    }

    private void transferFromOthers(String key, Params p) {
        ObjectNode holder = holderOf(key);
        if (holder != null && Boolean.TRUE.equals(p.bool("transfer_lookup_key"))) {
            ObjectNode before = holder.deepCopy();
            holder.putNull("lookup_key");
            state.events().publish("price.updated", holder, Updates.previousAttributes(before, holder));
        }
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params()
                .allowOnly(
                        "active",
                        "metadata",
                        "lookup_key",
                        "transfer_lookup_key",
                        "nickname",
                        "tax_behavior",
                        "currency_options");
        ObjectNode price = state.store().require("price", req.id(), "id");
        lookupKey(p, req.id());
        String taxBehavior = p.oneOf("tax_behavior", Set.of("inclusive", "exclusive", "unspecified"));
        ObjectNode before = price.deepCopy();
        Updates.bool(price, p, "active");
        Updates.text(price, p, "nickname");
        if (taxBehavior != null) {
            price.put("tax_behavior", taxBehavior);
        }
        Updates.applyMetadata(price, p);
        if (p.has("lookup_key")) {
            String key = p.string("lookup_key");
            if (key == null) {
                price.putNull("lookup_key");
            } else if (!key.equals(Json.text(price, "lookup_key"))) {
                transferFromOthers(key, p);
                price.put("lookup_key", key);
            }
        }
        ObjectNode previous = Updates.previousAttributes(before, price);
        if (!previous.isEmpty()) {
            state.events().publish("price.updated", price, previous);
        }
        return Render.one(state, price, p);
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("active", "currency", "product", "type", "lookup_keys", "recurring", "created"));
        p.allowOnly(allowed);
        List<String> lookupKeys = p.stringList("lookup_keys");
        String type = p.oneOf("type", Set.of("one_time", "recurring"));
        Params recurring = p.map("recurring");
        if (recurring != null) {
            recurring.allowOnly("interval", "usage_type", "meter");
        }
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "price",
                        pr -> Lists.boolEquals(pr, "active", p, "active")
                                && Lists.textEquals(pr, "currency", p, "currency")
                                && Lists.textEquals(pr, "product", p, "product")
                                && (type == null || type.equals(Json.text(pr, "type")))
                                && (lookupKeys == null || lookupKeys.contains(Json.text(pr, "lookup_key")))
                                && Lists.inRange(pr, "created", p, "created")
                                && (recurring == null
                                        || (pr.get("recurring").isObject()
                                                && Lists.textEquals(
                                                        (ObjectNode) pr.get("recurring"),
                                                        "interval",
                                                        recurring,
                                                        "interval")
                                                && Lists.textEquals(
                                                        (ObjectNode) pr.get("recurring"),
                                                        "usage_type",
                                                        recurring,
                                                        "usage_type"))));
        return Lists.page("/v1/prices", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode search(ApiRequest req) {
        Params p = req.params().allowOnly("query", "limit", "page");
        SearchQuery query = SearchQuery.parse(p.string("query"), SEARCH_FIELDS);
        return Lists.searchPage(
                "/v1/prices/search",
                state.store().newestFirst("price", query::matches),
                p,
                n -> Render.item(state, n, p));
    }
}
