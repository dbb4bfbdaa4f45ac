package dev.tokenbilling.internal.observe;

import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.hook.BillingObserver;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/** Runs one operation under an observation: tags its outcome, or its error code when it throws. */
final class Observe {

    private final BillingObserver observer;

    Observe(BillingObserver observer) {
        this.observer = observer;
    }

    /** Runs {@code work}, tagging {@code outcome} with what {@code outcome} says of its result. */
    <T> T run(String name, Supplier<T> work, Function<T, String> outcome) {
        try (BillingObserver.Operation operation = observer.start(name)) {
            try {
                T result = work.get();
                operation.tag("outcome", outcome.apply(result));
                return result;
            } catch (RuntimeException e) {
                operation.tag("outcome", "error");
                operation.tag("error", errorCode(e));
                operation.failed(e);
                throw e;
            }
        }
    }

    /** Runs {@code work}; a result is outcome {@code ok}. */
    <T> T run(String name, Supplier<T> work) {
        return run(name, work, result -> "ok");
    }

    private static String errorCode(RuntimeException e) {
        return e instanceof BillingException billing
                ? billing.code().name().toLowerCase(Locale.ROOT)
                : e.getClass().getSimpleName();
    }
}
