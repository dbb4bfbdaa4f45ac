package dev.tokenbilling.boot.actuate;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.doctor.CheckResult;
import dev.tokenbilling.doctor.Diagnosis;
import dev.tokenbilling.doctor.Doctor;
import dev.tokenbilling.doctor.Verdict;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * {@code billing doctor}'s checks as the {@code billingDoctor} section of {@code /actuator/info}:
 * {@code healthy} and each check's {@code name, verdict, finding, fix}. Each request runs the checks,
 * Stripe calls included, so it is opt-in ({@code billing.doctor.enabled}) and kept out of
 * {@code /actuator/health}, which load balancers poll. Like the health indicator, it never shows the
 * driver's words about an unreachable database (hosts, ports, user names): those go to the log.
 */
public class BillingDoctorInfoContributor implements InfoContributor {

    /** The {@code database} finding shown when that check fails. */
    public static final String DATABASE_FAILED =
            "the database cannot be reached or its schema is not at the library's version";

    private static final Logger LOG = LoggerFactory.getLogger(BillingDoctorInfoContributor.class);

    private final TokenBilling billing;
    private final String webhookUrl;
    private final Duration stuckAfter;

    public BillingDoctorInfoContributor(TokenBilling billing, String webhookUrl, Duration stuckAfter) {
        this.billing = Objects.requireNonNull(billing, "billing");
        this.webhookUrl = webhookUrl;
        this.stuckAfter = Objects.requireNonNull(stuckAfter, "stuckAfter");
    }

    @Override
    public void contribute(Info.Builder builder) {
        Diagnosis diagnosis = billing.doctor()
                .webhookUrl(webhookUrl)
                .stuckAfter(stuckAfter)
                .build()
                .diagnose();
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("healthy", diagnosis.healthy());
        section.put("checks", diagnosis.checks().stream().map(this::check).toList());
        builder.withDetail("billingDoctor", section);
    }

    private Map<String, Object> check(CheckResult check) {
        String finding = check.finding();
        if (check.name().equals(Doctor.DATABASE) && check.verdict() == Verdict.FAIL) {
            LOG.warn("billing doctor: {}", finding);
            finding = DATABASE_FAILED;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", check.name());
        map.put("verdict", check.verdict().name().toLowerCase(Locale.ROOT));
        map.put("finding", finding);
        map.put("fix", check.fix().orElse(null));
        return map;
    }
}
