package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a catalog says a package should be; {@code TokenBillingService.savePackage} creates or
 * updates the package with this slug. Stripe ids are not part of it: the Stripe sync owns them.
 *
 * @param validityDays how long purchased tokens stay valid; empty (the default) means they never expire
 */
public record PackageDefinition(
        String slug,
        String name,
        String packageType,
        long tokenAmount,
        Money price,
        String description,
        boolean active,
        int sortOrder,
        Optional<Integer> validityDays) {

    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_DESCRIPTION_LENGTH = 1000;

    public PackageDefinition {
        if (slug == null || !SLUG.matcher(slug).matches()) {
            throw new InvalidRequestException(
                    "slug", "must be 1-63 lower-case letters, digits or '-', starting with a letter or digit");
        }
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            throw new InvalidRequestException(
                    "name", "must be non-blank and at most " + MAX_NAME_LENGTH + " characters");
        }
        if (packageType == null || packageType.isBlank() || packageType.length() > 50) {
            throw new InvalidRequestException("packageType", "must be non-blank and at most 50 characters");
        }
        if (tokenAmount <= 0) {
            throw new InvalidRequestException("tokenAmount", "must be positive, was " + tokenAmount);
        }
        Objects.requireNonNull(price, "price");
        if (price.minorUnits() <= 0) {
            throw new InvalidRequestException("price", "must be positive, was " + price.minorUnits());
        }
        price.requireChargeable("price");
        validityDays = validityDays == null ? Optional.empty() : validityDays;
        if (validityDays.isPresent() && validityDays.get() <= 0) {
            throw new InvalidRequestException("validityDays", "must be positive when given, was " + validityDays.get());
        }
        description = description == null ? "" : description;
        if (description.length() > MAX_DESCRIPTION_LENGTH) {
            throw new InvalidRequestException(
                    "description", "must be at most " + MAX_DESCRIPTION_LENGTH + " characters");
        }
    }

    /** A package whose purchased tokens never expire (the default). */
    public PackageDefinition(
            String slug,
            String name,
            String packageType,
            long tokenAmount,
            Money price,
            String description,
            boolean active,
            int sortOrder) {
        this(slug, name, packageType, tokenAmount, price, description, active, sortOrder, Optional.empty());
    }

    /** True when the stored package already matches this definition in every field it defines. */
    public boolean matches(TokenPackage existing) {
        return existing.slug().equals(slug)
                && existing.name().equals(name)
                && existing.packageType().equals(packageType)
                && existing.tokenAmount() == tokenAmount
                && existing.price().equals(price)
                && existing.description().equals(description)
                && existing.active() == active
                && existing.sortOrder() == sortOrder
                && existing.validityDays().equals(validityDays);
    }
}
