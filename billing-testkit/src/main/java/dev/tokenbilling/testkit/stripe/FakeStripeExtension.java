package dev.tokenbilling.testkit.stripe;

import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: one {@link FakeStripe} per test class (shared with its {@code @Nested} classes),
 * started before the first test and closed after the last, injected as a parameter of constructors,
 * lifecycle and test methods.
 *
 * <pre>{@code
 * @ExtendWith(FakeStripeExtension.class)
 * class CheckoutTest {
 *   @Test
 *   void shouldPay(FakeStripe stripe) { ... }
 * }
 *
 * class ConfiguredTest {
 *   @RegisterExtension
 *   static final FakeStripeExtension STRIPE =
 *       FakeStripeExtension.configured(b -> b.holdWebhooks()).resettingBeforeEach();
 * }
 * }</pre>
 */
public final class FakeStripeExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(FakeStripeExtension.class);
    private static final String KEY = "fakeStripe";

    private record Holder(FakeStripe fake, String owner) {}

    private final Consumer<FakeStripe.Builder> configuration;
    private final boolean resetBeforeEach;
    private volatile FakeStripe current;

    /** Default settings (what {@code @ExtendWith} uses). */
    public FakeStripeExtension() {
        this(b -> {}, false);
    }

    private FakeStripeExtension(Consumer<FakeStripe.Builder> configuration, boolean resetBeforeEach) {
        this.configuration = configuration;
        this.resetBeforeEach = resetBeforeEach;
    }

    /** An extension whose FakeStripe is built with these settings. */
    public static FakeStripeExtension configured(Consumer<FakeStripe.Builder> configuration) {
        return new FakeStripeExtension(Objects.requireNonNull(configuration), false);
    }

    /** The same extension, but {@link FakeStripe#reset()} runs before each test. */
    public FakeStripeExtension resettingBeforeEach() {
        return new FakeStripeExtension(configuration, true);
    }

    /** The running FakeStripe (for {@code @RegisterExtension} fields); null outside a test class run. */
    public FakeStripe fakeStripe() {
        return current;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        obtain(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        FakeStripe fake = obtain(context);
        if (resetBeforeEach) {
            fake.reset();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeIfOwner(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeIfOwner(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == FakeStripe.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return obtain(context);
    }

    private FakeStripe obtain(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        Holder holder = store.get(KEY, Holder.class);
        if (holder == null) {
            FakeStripe.Builder builder = FakeStripe.builder();
            configuration.accept(builder);
            holder = new Holder(builder.start(), context.getUniqueId());
            store.put(KEY, holder);
        }
        current = holder.fake();
        return holder.fake();
    }

    private void closeIfOwner(ExtensionContext context) {
        Holder holder = context.getStore(NAMESPACE).get(KEY, Holder.class);
        if (holder != null && holder.owner().equals(context.getUniqueId())) {
            holder.fake().close();
            context.getStore(NAMESPACE).remove(KEY);
            if (current == holder.fake()) {
                current = null;
            }
        }
    }
}
