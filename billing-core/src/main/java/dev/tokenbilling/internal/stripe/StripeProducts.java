package dev.tokenbilling.internal.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Product;
import com.stripe.net.RequestOptions;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.ProductUpdateParams;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Stripe Product that sells one catalog item (a package or a tier): found by its recorded id,
 * created or brought up to date, archived. Each step notes what it changed in {@code changes}; a dry
 * run only notes it.
 */
final class StripeProducts {

    /**
     * What the catalog says the Product should be.
     *
     * @param metadataKey the metadata that names the catalog item ({@code package_slug}, {@code tier_slug})
     */
    record Wanted(String name, String description, String metadataKey, String slug, String idempotencyKey) {}

    private final StripeClient client;

    StripeProducts(StripeClient client) {
        this.client = client;
    }

    /** The recorded Product; empty when none was recorded or it was deleted on Stripe (to be created again). */
    Optional<Product> find(Optional<String> productId) throws StripeException {
        if (productId.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(client.v1().products().retrieve(productId.get()));
        } catch (InvalidRequestException e) {
            if (Integer.valueOf(404).equals(e.getStatusCode())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Creates the Product; its id, or {@code (new product)} in a dry run. */
    String create(Wanted wanted, boolean dryRun, List<String> changes) throws StripeException {
        changes.add("product created");
        if (dryRun) {
            return "(new product)";
        }
        ProductCreateParams.Builder params = ProductCreateParams.builder()
                .setName(wanted.name())
                .setActive(true)
                .putMetadata(wanted.metadataKey(), wanted.slug());
        if (!wanted.description().isBlank()) {
            params.setDescription(wanted.description());
        }
        return client.v1()
                .products()
                .create(
                        params.build(),
                        RequestOptions.builder()
                                .setIdempotencyKey(wanted.idempotencyKey())
                                .build())
                .getId();
    }

    /** Brings the Product's name, description, metadata and active flag to what is wanted; returns its id. */
    String update(Product product, Wanted wanted, boolean dryRun, List<String> changes) throws StripeException {
        boolean same = Objects.equals(product.getName(), wanted.name())
                && Objects.equals(Optional.ofNullable(product.getDescription()).orElse(""), wanted.description())
                && Boolean.TRUE.equals(product.getActive())
                && product.getMetadata() != null
                && wanted.slug().equals(product.getMetadata().get(wanted.metadataKey()));
        if (!same) {
            changes.add("product updated");
            if (!dryRun) {
                ProductUpdateParams.Builder params = ProductUpdateParams.builder()
                        .setName(wanted.name())
                        .setActive(true)
                        .putMetadata(wanted.metadataKey(), wanted.slug());
                params.setDescription(wanted.description().isBlank() ? null : wanted.description());
                client.v1().products().update(product.getId(), params.build());
            }
        }
        return product.getId();
    }

    /** Archives an active Product; false when it was archived already. */
    boolean archive(Product product, boolean dryRun) throws StripeException {
        if (!Boolean.TRUE.equals(product.getActive())) {
            return false;
        }
        if (!dryRun) {
            client.v1()
                    .products()
                    .update(
                            product.getId(),
                            ProductUpdateParams.builder().setActive(false).build());
        }
        return true;
    }
}
