/**
 * Implementation details. Nothing in {@code dev.tokenbilling.internal} or its subpackages is API:
 * it may change in any release without notice.
 */
package dev.tokenbilling.internal;
