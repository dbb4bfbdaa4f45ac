/** The durable outbox of host-facing billing events: what is written with each change, and its delivery. */
package dev.tokenbilling.internal.outbox;
