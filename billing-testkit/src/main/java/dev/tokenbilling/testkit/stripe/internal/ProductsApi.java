package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /v1/products}: create (with an own id if given), retrieve, update, delete, list, search. */
public final class ProductsApi {
    private static final List<String> UPDATABLE = List.of(
            "name",
            "active",
            "description",
            "metadata",
            "images",
            "marketing_features",
            "package_dimensions",
            "shippable",
            "statement_descriptor",
            "tax_code",
            "unit_label",
            "url",
            "default_price");
    private static final Set<String> SEARCH_FIELDS =
            Set.of("active", "created", "description", "metadata", "name", "shippable", "url");

    private final FakeStripeState state;
    private PricesApi prices;

    /** Over this state. */
    public ProductsApi(FakeStripeState state) {
        this.state = state;
    }

    /** Lets product creation make its {@code default_price_data} price. */
    public void setPrices(PricesApi prices) {
        this.prices = prices;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/products", this::create);
        router.add("GET", "/v1/products/search", this::search);
        router.add(
                "GET",
                "/v1/products/{id}",
                r -> Render.one(state, state.store().require("product", r.id(), "id"), r.params()));
        router.add("POST", "/v1/products/{id}", this::update);
        router.add("DELETE", "/v1/products/{id}", this::delete);
        router.add("GET", "/v1/products", this::list);
    }

    private ObjectNode create(ApiRequest req) {
        List<String> allowed = new ArrayList<>(UPDATABLE);
        allowed.remove("default_price");
        allowed.addAll(List.of("id", "default_price_data", "type", "tax_details"));
        Params p = req.params().allowOnly(allowed);
        return Render.one(state, create(p), p);
    }

    /** Creates a product from {@code name}, {@code id}, ... parameters (also {@code product_data}). */
    public ObjectNode create(Params p) {
        String name = p.requiredString("name");
        String id = p.string("id");
        if (id != null && state.store().contains(id)) {
            throw StripeApiError.invalidRequest("resource_already_exists", "id", "Product already exists.");
        }
        Params defaultPriceData = p.map("default_price_data");
        ObjectNode product = Templates.blank("product");
        long now = state.now();
        product.put("id", id == null ? Ids.newId("prod").substring(0, 19) : id);
        product.put("created", now);
        product.put("updated", now);
        product.put("name", name);
        String type = p.oneOf("type", Set.of("good", "service"));
        if (type != null) {
            product.put("type", type);
        }
        apply(product, p);
        state.put(product);
        state.events().publish("product.created", product);
        if (defaultPriceData != null) {
            ObjectNode price = prices.createFor(product.get("id").asText(), defaultPriceData);
            ObjectNode before = product.deepCopy();
            product.put("default_price", price.get("id").asText());
            state.events().publish("product.updated", product, Updates.previousAttributes(before, product));
        }
        return product;
    }

    private void apply(ObjectNode product, Params p) {
        if (p.has("name") && p.string("name") == null) {
            throw StripeApiError.invalidParam("name", "You cannot unset a product's name.");
        }
        Updates.text(product, p, "name");
        for (String f : new String[] {"description", "statement_descriptor", "tax_code", "unit_label", "url"}) {
            Updates.text(product, p, f);
        }
        Updates.bool(product, p, "active");
        Updates.bool(product, p, "shippable");
        List<String> images = p.stringList("images");
        if (images != null) {
            ArrayNode array = Json.array();
            images.forEach(array::add);
            product.set("images", array);
        }
        List<Object> features = p.list("marketing_features");
        if (features != null) {
            ArrayNode array = Json.array();
            for (int i = 0; i < features.size(); i++) {
                if (!(features.get(i) instanceof java.util.Map)) {
                    throw StripeApiError.invalidParam(
                            "marketing_features[" + i + "]",
                            "Invalid hash: marketing_features[" + i + "] must be a hash with a name.");
                }
                @SuppressWarnings("unchecked")
                Params feature = new Params((java.util.Map<String, Object>) features.get(i));
                ObjectNode node = Json.object();
                node.put("name", feature.requiredString("name"));
                array.add(node);
            }
            product.set("marketing_features", array);
        }
        Params dimensions = p.map("package_dimensions");
        if (dimensions != null) {
            ObjectNode node = Json.object();
            for (String f : new String[] {"height", "length", "weight", "width"}) {
                String v = dimensions.requiredString(f);
                try {
                    node.put(f, Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    throw StripeApiError.invalidParam(dimensions.name(f), "Invalid decimal: " + v);
                }
            }
            product.set("package_dimensions", node);
        }
        Updates.applyMetadata(product, p);
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params().allowOnly(UPDATABLE);
        ObjectNode product = state.store().require("product", req.id(), "id");
        String defaultPrice = p.string("default_price");
        if (defaultPrice != null) {
            ObjectNode price = state.store().require("price", defaultPrice, "default_price");
            if (!req.id().equals(Json.text(price, "product"))) {
                throw StripeApiError.invalidParam(
                        "default_price", "The price " + defaultPrice + " does not belong to product " + req.id() + ".");
            }
        }
        ObjectNode before = product.deepCopy();
        apply(product, p);
        Updates.text(product, p, "default_price");
        ObjectNode previous = Updates.previousAttributes(before, product);
        if (!previous.isEmpty()) {
            product.put("updated", state.now());
            state.events().publish("product.updated", product, previous);
        }
        return Render.one(state, product, p);
    }

    private ObjectNode delete(ApiRequest req) {
        ObjectNode product = state.store().require("product", req.id(), "id");
        boolean hasPrices = !state.store()
                .newestFirst("price", pr -> req.id().equals(Json.text(pr, "product")))
                .isEmpty();
        if (hasPrices) {
            throw StripeApiError.invalidRequest(
                    null, null, "This product cannot be deleted because it has one or more user-created prices.");
        }
        state.store().remove(req.id());
        state.events().publish("product.deleted", product);
        ObjectNode deleted = Json.object();
        deleted.put("id", req.id());
        deleted.put("object", "product");
        deleted.put("deleted", true);
        return deleted;
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("active", "ids", "created", "shippable", "url", "type"));
        p.allowOnly(allowed);
        List<String> ids = p.stringList("ids");
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "product",
                        pr -> Lists.boolEquals(pr, "active", p, "active")
                                && Lists.boolEquals(pr, "shippable", p, "shippable")
                                && Lists.textEquals(pr, "url", p, "url")
                                && Lists.textEquals(pr, "type", p, "type")
                                && Lists.inRange(pr, "created", p, "created")
                                && (ids == null || ids.contains(Json.text(pr, "id"))));
        return Lists.page("/v1/products", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode search(ApiRequest req) {
        Params p = req.params().allowOnly("query", "limit", "page");
        SearchQuery query = SearchQuery.parse(p.string("query"), SEARCH_FIELDS);
        return Lists.searchPage(
                "/v1/products/search",
                state.store().newestFirst("product", query::matches),
                p,
                n -> Render.item(state, n, p));
    }
}
