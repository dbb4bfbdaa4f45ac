package dev.tokenbilling.internal.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * How a repository gets its connection: a pooled handle per call (autocommit, each call atomic on
 * its own), or the handle of an enclosing transaction.
 */
abstract class HandleAccess {

    abstract <R> R with(Function<Handle, R> work);

    /** True when calls run inside a transaction the caller controls. */
    abstract boolean inTransaction();

    /**
     * The second step of a lease on Citus (where no row lock may span shards): each candidate picked
     * without a lock is leased on its own shard by {@code lease}, which finds nothing when another
     * caller took it first; the leased rows in the candidates' order.
     */
    <C, R> List<R> leaseEach(List<C> candidates, BiFunction<Handle, C, Optional<R>> lease) {
        List<R> leased = new ArrayList<>();
        for (C candidate : candidates) {
            with(handle -> lease.apply(handle, candidate)).ifPresent(leased::add);
        }
        return leased;
    }

    static HandleAccess pooled(Jdbi jdbi) {
        return new HandleAccess() {
            @Override
            <R> R with(Function<Handle, R> work) {
                try {
                    return jdbi.withHandle(work::apply);
                } catch (RuntimeException e) {
                    throw StoreErrors.translate(e);
                }
            }

            @Override
            boolean inTransaction() {
                return false;
            }
        };
    }

    static HandleAccess bound(Handle handle) {
        return new HandleAccess() {
            @Override
            <R> R with(Function<Handle, R> work) {
                return work.apply(handle);
            }

            @Override
            boolean inTransaction() {
                return true;
            }
        };
    }
}
