package dev.tokenbilling.doctor;

/** How one check came out. Only {@link #FAIL} makes a diagnosis unhealthy. */
public enum Verdict {
    /** Nothing to do. */
    OK,
    /** Works, but something is likely to bite; the fix says what. */
    WARN,
    /** Broken: users see one of the symptoms README's Troubleshooting section lists; the fix says what to do. */
    FAIL,
    /** Not checked, and the finding says why (no Stripe key, the database check failed, no webhook URL given). */
    SKIPPED
}
