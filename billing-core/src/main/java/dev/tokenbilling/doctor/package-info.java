/**
 * {@code billing doctor}'s checks as a library: {@link dev.tokenbilling.doctor.Doctor} walks through
 * what README's Troubleshooting section does by hand (database and schema, Stripe keys, the catalog against
 * Stripe's prices, the webhook endpoint and signing secret, stuck purchases, failed events, the ledger
 * audit) and returns a {@link dev.tokenbilling.doctor.Diagnosis}: one verdict, finding and fix per
 * check. The CLI prints it; the Spring starter shows it in its health details.
 */
package dev.tokenbilling.doctor;
