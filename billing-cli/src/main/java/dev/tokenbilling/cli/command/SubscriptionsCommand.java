package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionStatus;
import dev.tokenbilling.model.UserId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code billing subscriptions [--status S] [--user U] [--limit N]}: users' Stripe subscriptions as last
 * seen, soonest period end first (a user's: latest period first).
 */
@Command(
        name = "subscriptions",
        description = {
            "Users' subscriptions to tiers as last seen from Stripe, soonest period end first (e.g. --status past_due).",
            "With --user, that user's subscriptions, the latest period first, ended ones included."
        })
public final class SubscriptionsCommand extends BaseCommand {

    /** The most rows one listing returns. */
    static final int MAX_LIMIT = 10_000;

    @Option(
            names = "--status",
            paramLabel = "S",
            converter = StatusConverter.class,
            description = "Only this status: incomplete, incomplete_expired, trialing, active, past_due, canceled,"
                    + " unpaid, paused.")
    SubscriptionStatus status;

    @Option(names = "--user", paramLabel = "U", description = "Only this user's subscriptions.")
    String user;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "50",
            description = "At most N subscriptions (default: ${DEFAULT-VALUE}).")
    int limit;

    public SubscriptionsCommand(CliContext context) {
        super(context);
    }

    static List<Column<Subscription>> columns() {
        return List.of(
                Column.<Subscription>text(
                        "USER",
                        "userId",
                        s -> s.userId().value(),
                        s -> s.userId().value()),
                Column.<Subscription>of("SUBSCRIPTION", "stripeSubscriptionId", Subscription::stripeSubscriptionId),
                Column.<Subscription>of("TIER", "tierSlug", Subscription::tierSlug),
                Column.<Subscription>text(
                        "INTERVAL",
                        "interval",
                        s -> s.interval().wireName(),
                        s -> s.interval().wireName()),
                Column.<Subscription>text(
                                "STATUS",
                                "status",
                                s -> s.status().wireName(),
                                s -> s.status().wireName())
                        .styled(s -> statusStyle(s.status())),
                Column.<Subscription>text(
                        "PERIOD END",
                        "currentPeriodEnd",
                        Subscription::currentPeriodEnd,
                        s -> s.currentPeriodEnd().map(Formats::time).orElse("-")),
                Column.<Subscription>text(
                                "CANCEL AT END",
                                "cancelAtPeriodEnd",
                                Subscription::cancelAtPeriodEnd,
                                s -> s.cancelAtPeriodEnd() ? "yes" : "no")
                        .styled(s -> s.cancelAtPeriodEnd() ? Style.YELLOW : Style.PLAIN),
                Column.<Subscription>of("CUSTOMER", "stripeCustomerId", Subscription::stripeCustomerId)
                        .hiddenInTable(),
                Column.<Subscription>of("TIER ID", "tierId", Subscription::tierId)
                        .hiddenInTable(),
                Column.<Subscription>of("PERIOD START", "currentPeriodStart", Subscription::currentPeriodStart)
                        .hiddenInTable(),
                Column.<Subscription>of("CANCELED", "canceledAt", Subscription::canceledAt)
                        .hiddenInTable(),
                Column.<Subscription>of("ENDED", "endedAt", Subscription::endedAt)
                        .hiddenInTable(),
                Column.<Subscription>of("STRIPE CHANGED", "stripeChangedAt", Subscription::stripeChangedAt)
                        .hiddenInTable(),
                Column.<Subscription>of("CREATED", "createdAt", Subscription::createdAt)
                        .hiddenInTable(),
                Column.<Subscription>of("UPDATED", "updatedAt", Subscription::updatedAt)
                        .hiddenInTable());
    }

    static Style statusStyle(SubscriptionStatus status) {
        return switch (status) {
            case ACTIVE, TRIALING -> Style.GREEN;
            case PAST_DUE, UNPAID, INCOMPLETE -> Style.YELLOW;
            case CANCELED, INCOMPLETE_EXPIRED, PAUSED -> Style.DIM;
        };
    }

    @Override
    protected int run() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw CliException.usage("--limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        List<Subscription> subscriptions;
        if (user != null) {
            UserId id = Users.id(user);
            subscriptions = service().subscriptions().subscriptions(id).stream()
                    .filter(subscription -> status == null || subscription.status() == status)
                    .limit(limit)
                    .toList();
        } else {
            out();
            subscriptions = context.billing().store().subscriptions().list(Optional.ofNullable(status), limit);
        }
        out().rows(columns(), subscriptions, "No subscriptions match.");
        return ExitCodes.OK;
    }

    /** A status by its Stripe name ({@code past_due}); an unknown one is a usage error listing the valid ones. */
    public static final class StatusConverter implements CommandLine.ITypeConverter<SubscriptionStatus> {
        @Override
        public SubscriptionStatus convert(String value) {
            String name = value.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            try {
                return SubscriptionStatus.fromWireName(name);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("unknown subscription status '" + value.trim()
                        + "'; expected one of "
                        + String.join(
                                ", ",
                                Arrays.stream(SubscriptionStatus.values())
                                        .map(SubscriptionStatus::wireName)
                                        .toList()));
            }
        }
    }
}
