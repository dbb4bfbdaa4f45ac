package dev.tokenbilling.model;

/** What {@code savePackage} did: the seed's report style (Created, Updated, Unchanged). */
public record PackageSaveResult(Change change, TokenPackage tokenPackage) {

    public enum Change { CREATED, UPDATED, UNCHANGED }
}
