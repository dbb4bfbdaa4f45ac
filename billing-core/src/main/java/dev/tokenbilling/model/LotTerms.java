package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How a credited lot is drawn and when it lapses. Lower {@code priority} is drawn first (promotional
 * grants can go before purchased tokens with a negative priority); purchased tokens default to 0
 * and never expire unless their package has a validity period.
 */
public record LotTerms(int priority, Optional<Instant> expiresAt) {

    public static final LotTerms DEFAULT = new LotTerms(0, Optional.empty());

    public LotTerms {
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public static LotTerms expiringAt(Instant expiresAt) {
        return new LotTerms(0, Optional.of(Objects.requireNonNull(expiresAt, "expiresAt")));
    }

    public LotTerms withPriority(int newPriority) {
        return new LotTerms(newPriority, expiresAt);
    }

    /** Refuses an expiry that is not after {@code now}: such a credit would lapse at once. */
    public LotTerms requireFutureExpiry(Instant now) {
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(now)) {
            throw new InvalidRequestException("expiresAt", "must be in the future, was " + expiresAt.get());
        }
        return this;
    }
}
