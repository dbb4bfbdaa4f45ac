package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.Durations;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.cli.Progress;
import dev.tokenbilling.doctor.CheckResult;
import dev.tokenbilling.doctor.Diagnosis;
import dev.tokenbilling.doctor.Doctor;
import dev.tokenbilling.doctor.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing doctor}: the checks of README's Troubleshooting section, each with a verdict and its fix; exit 1 when one fails. */
@Command(
        name = "doctor",
        description = {
            "Check the setup, step by step as README's Troubleshooting section does by hand; exit code 1 when a check fails.",
            "Database and schema, Stripe keys, packages against their Stripe prices, the webhook endpoint at --webhook-url"
                    + " and its events, STRIPE_WEBHOOK_SECRET, stuck purchases, failed webhook events, the ledger audit."
                    + " Each check says what it found and the fix. Read-only."
        })
public final class DoctorCommand extends BaseCommand {

    /** The application's public webhook URL, when not given with {@code --webhook-url}. */
    public static final String WEBHOOK_URL = "BILLING_WEBHOOK_URL";

    @Option(
            names = "--webhook-url",
            paramLabel = "URL",
            description = "The application's webhook URL as Stripe should call it; default: env " + WEBHOOK_URL
                    + ". Without it the endpoint check is skipped.")
    String webhookUrl;

    @Option(
            names = "--stuck-after",
            paramLabel = "DURATION",
            defaultValue = "15m",
            converter = Durations.Converter.class,
            description =
                    "Open purchases older than this are stuck (default: ${DEFAULT-VALUE}, the reconciler's window).")
    Duration stuckAfter;

    public DoctorCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        Doctor doctor = TokenBilling.newDoctor()
                .schema(() -> {
                    context.billing(); // the embedded database is migrated when the library is built
                    return context.schema().status();
                })
                .service(() -> context.billing().service())
                .stripe(() -> context.stripeKey().isEmpty() ? Optional.empty() : Optional.of(context.stripeApi(false)))
                .webhooks(context::webhookVerification)
                .webhookUrl(Optional.ofNullable(webhookUrl)
                        .or(() -> context.environment().variable(WEBHOOK_URL))
                        .orElse(null))
                .stuckAfter(stuckAfter)
                .clock(context.clock())
                .build();
        Diagnosis diagnosis;
        try (Progress progress = new Progress(out())) {
            progress.update(
                    "Examining " + context.databaseLocation() + " and Stripe at " + context.stripeLocation() + "…");
            diagnosis = doctor.diagnose();
        }
        List<CheckResult> checks = diagnosis.checks().stream()
                .map(check -> new CheckResult(
                        check.name(),
                        check.verdict(),
                        context.failures().redact(check.finding()),
                        check.fix().map(context.failures()::redact)))
                .toList();
        switch (out().format()) {
            case JSON -> out().json(json(diagnosis, checks));
            case CSV -> out().rows(columns(), checks, "");
            default -> table(diagnosis, checks);
        }
        return diagnosis.healthy() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private void table(Diagnosis diagnosis, List<CheckResult> checks) {
        int width =
                checks.stream().mapToInt(check -> check.name().length()).max().orElse(0);
        String indent = " ".repeat(width + 5);
        for (CheckResult check : checks) {
            String name = String.format(Locale.ROOT, "%-" + width + "s", check.name());
            out().line(out().paint(style(check.verdict()), symbol(check.verdict()) + " " + name) + "  "
                    + (check.verdict() == Verdict.SKIPPED ? "skipped: " : "") + check.finding());
            check.fix().ifPresent(fix -> out().line(indent + out().paint(Style.CYAN, "fix: ") + fix));
        }
        out().line("");
        String summary = diagnosis.count(Verdict.OK) + " ok, " + diagnosis.count(Verdict.WARN) + " warning"
                + (diagnosis.count(Verdict.WARN) == 1 ? "" : "s") + ", " + diagnosis.count(Verdict.FAIL) + " failed, "
                + diagnosis.count(Verdict.SKIPPED) + " skipped.";
        out().line(
                        diagnosis.healthy() ? Style.GREEN : Style.RED,
                        (diagnosis.healthy() ? "✅ Healthy: " : "❌ Not healthy: ") + summary);
    }

    private static ObjectNode json(Diagnosis diagnosis, List<CheckResult> checks) {
        ObjectNode json = Output.newObject();
        json.put("healthy", diagnosis.healthy());
        ArrayNode array = json.putArray("checks");
        checks.forEach(check -> array.add(Output.object(columns(), check)));
        ObjectNode summary = json.putObject("summary");
        for (Verdict verdict : Verdict.values()) {
            summary.put(lower(verdict), diagnosis.count(verdict));
        }
        return json;
    }

    private static List<Column<CheckResult>> columns() {
        return List.of(
                Column.<CheckResult>of("CHECK", "name", CheckResult::name),
                Column.<CheckResult>of("VERDICT", "verdict", check -> lower(check.verdict())),
                Column.<CheckResult>of("FINDING", "finding", CheckResult::finding),
                Column.<CheckResult>of("FIX", "fix", check -> check.fix().orElse(null)));
    }

    private static String lower(Verdict verdict) {
        return verdict.name().toLowerCase(Locale.ROOT);
    }

    private static String symbol(Verdict verdict) {
        return switch (verdict) {
            case OK -> "✅";
            case WARN -> "⚠️ ";
            case FAIL -> "❌";
            case SKIPPED -> "⏭ ";
        };
    }

    private static Style style(Verdict verdict) {
        return switch (verdict) {
            case OK -> Style.GREEN;
            case WARN -> Style.YELLOW;
            case FAIL -> Style.RED;
            case SKIPPED -> Style.DIM;
        };
    }
}
