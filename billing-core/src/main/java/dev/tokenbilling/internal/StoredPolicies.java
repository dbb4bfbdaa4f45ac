package dev.tokenbilling.internal;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.model.RefundPolicy;
import dev.tokenbilling.store.SettingsRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The policies that change what happens to money, stored with the schema so that every process on
 * the database applies the same ones: the host app sets them (the first one stores them), a process
 * that does not set them (the CLI, a one-off retry) reads them, and a process that sets different
 * ones is refused unless it replaces them on purpose. The host's webhook event types are stored too,
 * so a process without the host's handlers leaves those events for the host instead of ignoring them.
 */
public record StoredPolicies(RefundPolicy refundPolicy, Duration abandonAfter, Set<String> hostEventTypes) {

    static final String REFUND_POLICY = "refund_policy";
    static final String ABANDON_AFTER = "abandon_purchases_after";
    static final String HOST_EVENT_TYPES = "host_event_types";

    /**
     * @param refundPolicy the process's own choice, empty when it made none
     * @param abandonAfter likewise
     * @param eventTypes   the event type patterns of the process's own handlers
     * @param replace      store the process's choices even where others are stored
     */
    public static StoredPolicies resolve(
            SettingsRepository settings,
            Optional<RefundPolicy> refundPolicy,
            Optional<Duration> abandonAfter,
            Set<String> eventTypes,
            boolean replace,
            RefundPolicy defaultRefundPolicy,
            Duration defaultAbandonAfter,
            Instant now) {
        RefundPolicy policy = RefundPolicy.valueOf(resolve(
                settings, REFUND_POLICY, refundPolicy.map(Enum::name), replace, defaultRefundPolicy.name(), now));
        Duration abandon = Duration.parse(resolve(
                settings,
                ABANDON_AFTER,
                abandonAfter.map(Duration::toString),
                replace,
                defaultAbandonAfter.toString(),
                now));
        Set<String> hostTypes =
                new TreeSet<>(split(settings.find(HOST_EVENT_TYPES).orElse("")));
        if (!hostTypes.containsAll(eventTypes)) {
            hostTypes.addAll(eventTypes);
            settings.put(HOST_EVENT_TYPES, String.join(",", hostTypes), now);
        }
        return new StoredPolicies(policy, abandon, Set.copyOf(hostTypes));
    }

    private static String resolve(
            SettingsRepository settings,
            String name,
            Optional<String> own,
            boolean replace,
            String fallback,
            Instant now) {
        if (own.isEmpty()) {
            return settings.find(name).orElse(fallback);
        }
        if (replace) {
            settings.put(name, own.get(), now);
            return own.get();
        }
        String stored = settings.putIfAbsent(name, own.get(), now);
        if (!stored.equals(own.get())) {
            throw new BillingException(
                    BillingError.INVALID_CONFIGURATION,
                    name + ": " + own.get() + " differs from " + stored
                            + ", stored with the schema by another process; every process on this database must apply the same policy"
                            + " (replace it on purpose with TokenBilling.Builder.replaceStoredPolicies())");
        }
        return stored;
    }

    private static Set<String> split(String list) {
        return Arrays.stream(list.split(","))
                .map(String::strip)
                .filter(type -> !type.isEmpty())
                .collect(Collectors.toSet());
    }
}
