package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.store.SettingsRepository;
import java.time.Instant;
import java.util.Optional;

final class PostgresSettingsRepository implements SettingsRepository {

    private final HandleAccess access;
    private final String find;
    private final String putIfAbsent;
    private final String put;

    PostgresSettingsRepository(HandleAccess access, SchemaName schema) {
        this.access = access;
        find = schema.render("SELECT value FROM {schema}.billing_setting WHERE name = :name");
        // ON CONFLICT DO NOTHING returns no row to a later caller, which then reads the stored value.
        putIfAbsent = schema.render(
                "WITH inserted AS (INSERT INTO {schema}.billing_setting (name, value, updated_at)"
                        + " VALUES (:name, :value, :at) ON CONFLICT (name) DO NOTHING RETURNING value)"
                        + " SELECT value FROM inserted UNION ALL SELECT value FROM {schema}.billing_setting WHERE name = :name LIMIT 1");
        put = schema.render("INSERT INTO {schema}.billing_setting (name, value, updated_at) VALUES (:name, :value, :at)"
                + " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
    }

    @Override
    public Optional<String> find(String name) {
        return access.with(handle ->
                handle.createQuery(find).bind("name", name).mapTo(String.class).findOne());
    }

    @Override
    public String putIfAbsent(String name, String value, Instant at) {
        return access.with(handle -> handle.createQuery(putIfAbsent)
                .bind("name", name)
                .bind("value", value)
                .bind("at", Rows.utc(at))
                .mapTo(String.class)
                .one());
    }

    @Override
    public void put(String name, String value, Instant at) {
        access.with(handle -> handle.createUpdate(put)
                .bind("name", name)
                .bind("value", value)
                .bind("at", Rows.utc(at))
                .execute());
    }
}
