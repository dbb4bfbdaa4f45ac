package dev.tokenbilling.model;

/** What {@code saveTier} did: created, updated, or unchanged (the same definition saved again). */
public record TierSaveResult(PackageSaveResult.Change change, SubscriptionTier tier) {}
