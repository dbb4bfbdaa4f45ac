package dev.tokenbilling.internal.postgres;

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
