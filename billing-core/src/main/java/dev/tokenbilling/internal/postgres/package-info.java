/**
 * The PostgreSQL store on JDBI. Internal: may change at any time. Every ledger posting is one SQL
 * statement (a data-modifying CTE that moves the balance and appends the entry), so it is atomic
 * without an explicit transaction and costs one round trip.
 */
package dev.tokenbilling.internal.postgres;
