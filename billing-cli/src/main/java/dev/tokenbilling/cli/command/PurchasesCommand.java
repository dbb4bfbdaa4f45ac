package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.Durations;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing purchases [--status S] [--user U] [--older-than 15m] [--limit N]}: purchases, newest first. */
@Command(
        name = "purchases",
        description = {"Purchases, newest first (e.g. --status pending --older-than 15m)."})
public final class PurchasesCommand extends BaseCommand {

    @Option(
            names = "--status",
            paramLabel = "S",
            converter = StatusConverter.class,
            description =
                    "Only these statuses, comma-separated: pending, processing, requires_action, failed, completed, canceled,"
                            + " partially_refunded, refunded, disputed; 'open' for the first four.")
    StatusFilter statuses;

    @Option(names = "--user", paramLabel = "U", description = "Only this user's purchases.")
    String user;

    @Option(
            names = "--older-than",
            paramLabel = "DURATION",
            converter = Durations.Converter.class,
            description = "Only purchases created longer ago than this: 30s, 15m, 1h, 3d.")
    Duration olderThan;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "50",
            description = "At most N purchases (default: ${DEFAULT-VALUE}).")
    int limit;

    public PurchasesCommand(CliContext context) {
        super(context);
    }

    static List<Column<Purchase>> columns(CliContext context) {
        return List.of(
                Column.<Purchase>of("ID", "id", Purchase::id).right(),
                Column.<Purchase>text(
                        "USER",
                        "userId",
                        p -> p.userId().value(),
                        p -> p.userId().value()),
                Column.<Purchase>of("PACKAGE", "packageSlug", Purchase::packageSlug),
                Column.<Purchase>tokens("TOKENS", "tokenAmount", Purchase::tokenAmount),
                Column.<Purchase>text("AMOUNT", "amount", p -> p.amount().majorUnits(), p -> Formats.money(p.amount()))
                        .right(),
                Column.<Purchase>of(
                                "CURRENCY",
                                "currency",
                                p -> p.amount().currency().getCurrencyCode())
                        .hiddenInTable(),
                Column.<Purchase>text(
                                "STATUS",
                                "status",
                                p -> p.status().wireName(),
                                p -> p.status().wireName())
                        .styled(p -> Columns.statusStyle(p.status())),
                Column.<Purchase>text(
                        "PAYMENT INTENT",
                        "paymentIntentId",
                        Purchase::paymentIntentId,
                        p -> p.paymentIntentId().orElse("-")),
                Column.<Purchase>of("CREATED", "createdAt", Purchase::createdAt),
                Column.<Purchase>tableOnly("AGE", p -> Formats.age(p.createdAt(), context.clock()))
                        .right(),
                Column.<Purchase>of("UPDATED", "updatedAt", Purchase::updatedAt).hiddenInTable(),
                Column.<Purchase>of("COMPLETED", "completedAt", Purchase::completedAt)
                        .hiddenInTable(),
                Column.<Purchase>of("CUSTOMER", "stripeCustomerId", Purchase::stripeCustomerId)
                        .hiddenInTable(),
                Column.<Purchase>of("CHARGE", "stripeChargeId", Purchase::stripeChargeId)
                        .hiddenInTable(),
                Column.<Purchase>of("FAILURE CODE", "failureCode", Purchase::failureCode)
                        .hiddenInTable(),
                Column.<Purchase>text(
                        "FAILURE",
                        "failureMessage",
                        Purchase::failureMessage,
                        p -> Formats.shorten(
                                p.failureCode().map(code -> code + ": ").orElse("")
                                        + p.failureMessage().orElse(""),
                                48)),
                Column.<Purchase>of("REFUNDED", "amountRefundedMinor", Purchase::amountRefundedMinor)
                        .hiddenInTable(),
                Column.<Purchase>of("TOKENS REVERSED", "tokensReversed", Purchase::tokensReversed)
                        .hiddenInTable(),
                Column.<Purchase>of("TOKENS DISPUTED", "tokensDisputed", Purchase::tokensDisputed)
                        .hiddenInTable());
    }

    @Override
    protected int run() {
        if (limit < 1 || limit > PurchaseQuery.MAX_LIMIT) {
            throw CliException.usage("--limit must be between 1 and " + PurchaseQuery.MAX_LIMIT + ", was " + limit);
        }
        PurchaseQuery query = new PurchaseQuery(
                statuses == null ? Set.of() : statuses.statuses(),
                Optional.ofNullable(user).map(Users::id),
                Optional.ofNullable(olderThan)
                        .map(age -> context.clock().instant().minus(age)),
                limit);
        List<Purchase> purchases = service().purchases().query(query);
        out().rows(columns(context), purchases, "No purchases match.");
        return ExitCodes.OK;
    }

    /** {@code pending,failed} or {@code open}; an unknown status is a usage error listing the valid ones. */
    public record StatusFilter(Set<PurchaseStatus> statuses) {}

    /** Parses {@link StatusFilter}. */
    public static final class StatusConverter implements CommandLine.ITypeConverter<StatusFilter> {
        @Override
        public StatusFilter convert(String value) {
            Set<PurchaseStatus> result = EnumSet.noneOf(PurchaseStatus.class);
            for (String part : value.split(",")) {
                String name = part.trim().toLowerCase(Locale.ROOT).replace('-', '_');
                if (name.isEmpty()) {
                    continue;
                }
                if (name.equals("open")) {
                    result.addAll(PurchaseStatus.OPEN);
                    continue;
                }
                try {
                    result.add(PurchaseStatus.fromWireName(name));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.TypeConversionException(
                            "unknown purchase status '" + part.trim() + "'; expected one of "
                                    + String.join(
                                            ", ",
                                            Arrays.stream(PurchaseStatus.values())
                                                    .map(PurchaseStatus::wireName)
                                                    .toList())
                                    + ", or open");
                }
            }
            if (result.isEmpty()) {
                throw new CommandLine.TypeConversionException("no purchase status given");
            }
            return new StatusFilter(result);
        }
    }
}
