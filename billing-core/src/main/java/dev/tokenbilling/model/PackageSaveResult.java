package dev.tokenbilling.model;

/** What {@code savePackage} did: created, updated, or unchanged (the same definition saved again). */
public record PackageSaveResult(Change change, TokenPackage tokenPackage) {

    public enum Change {
        CREATED,
        UPDATED,
        UNCHANGED
    }
}
