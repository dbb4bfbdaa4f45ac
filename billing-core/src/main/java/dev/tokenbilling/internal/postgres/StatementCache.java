package dev.tokenbilling.internal.postgres;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.cache.JdbiCache;
import org.jdbi.v3.core.cache.JdbiCacheBuilder;
import org.jdbi.v3.core.cache.JdbiCacheLoader;

/**
 * JDBI's caches of parsed SQL, without a lock on the read path. JDBI's default cache is an LRU list
 * that takes a monitor on every hit; with many threads on few cores a preempted holder stalls every
 * statement of every thread. The store's SQL is a fixed set of constant strings, so nothing needs
 * evicting: entries beyond {@code maxSize} are computed and not kept.
 */
final class StatementCache implements JdbiCacheBuilder {

    private final int maxSize;

    StatementCache(int maxSize) {
        this.maxSize = maxSize;
    }

    @Override
    public <K, V> JdbiCache<K, V> build() {
        return new Cache<>(maxSize, null);
    }

    @Override
    public <K, V> JdbiCache<K, V> buildWithLoader(JdbiCacheLoader<K, V> loader) {
        return new Cache<>(maxSize, loader);
    }

    @Override
    public JdbiCacheBuilder maxSize(int size) {
        return new StatementCache(size);
    }

    private static final class Cache<K, V> implements JdbiCache<K, V> {
        private final Map<K, V> entries = new ConcurrentHashMap<>();
        private final int maxSize;
        private final JdbiCacheLoader<K, V> loader;

        Cache(int maxSize, JdbiCacheLoader<K, V> loader) {
            this.maxSize = maxSize;
            this.loader = loader;
        }

        @Override
        public V get(K key) {
            V cached = entries.get(key);
            return cached != null || loader == null ? cached : getWithLoader(key, loader);
        }

        @Override
        public V getWithLoader(K key, JdbiCacheLoader<K, V> loader) {
            V cached = entries.get(key);
            if (cached != null) {
                return cached;
            }
            V created = loader.create(key);
            if (created != null && entries.size() < maxSize) {
                V raced = entries.putIfAbsent(key, created);
                return raced != null ? raced : created;
            }
            return created;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getStats() {
            return (T) Integer.valueOf(entries.size());
        }
    }
}
