package dev.tokenbilling.model;

/** What an expiry run did: lots it took tokens from, tokens that left balances, and holds it released. */
public record ExpiryReport(int lotsExpired, long tokensExpired, int reservationsReleased) {

    public static final ExpiryReport NOTHING = new ExpiryReport(0, 0, 0);

    /** This run and {@code other} together. */
    public ExpiryReport plus(ExpiryReport other) {
        return new ExpiryReport(
                lotsExpired + other.lotsExpired,
                tokensExpired + other.tokensExpired,
                reservationsReleased + other.reservationsReleased);
    }

    /** The larger of the lots expired and the holds released: what a limit on one run counts. */
    public int itemsDone() {
        return Math.max(lotsExpired, reservationsReleased);
    }
}
