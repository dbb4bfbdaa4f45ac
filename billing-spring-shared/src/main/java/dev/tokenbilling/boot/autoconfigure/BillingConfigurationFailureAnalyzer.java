package dev.tokenbilling.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Shows a {@link BillingConfigurationException} as Spring Boot's "APPLICATION FAILED TO START" report. */
class BillingConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<BillingConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BillingConfigurationException cause) {
        return new FailureAnalysis("Token Billing is misconfigured: " + cause.getMessage(), cause.action(), cause);
    }
}
