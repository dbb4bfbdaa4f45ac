package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Price;
import com.stripe.model.Product;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.PriceListParams;
import com.stripe.param.PriceSearchParams;
import com.stripe.param.PriceUpdateParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.ProductListParams;
import com.stripe.param.ProductSearchParams;
import com.stripe.param.ProductUpdateParams;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProductsAndPricesTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private FakeStripe fake;
    private StripeClient client;

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
    }

    private Product product(String name, String slug) throws Exception {
        return client.v1()
                .products()
                .create(ProductCreateParams.builder()
                        .setName(name)
                        .setDescription("Tokens")
                        .putMetadata("slug", slug)
                        .build());
    }

    private Price price(String productId, long amount, String lookupKey) throws Exception {
        PriceCreateParams.Builder b = PriceCreateParams.builder()
                .setProduct(productId)
                .setCurrency("usd")
                .setUnitAmount(amount);
        if (lookupKey != null) {
            b.setLookupKey(lookupKey);
        }
        return client.v1().prices().create(b.build());
    }

    @Test
    void shouldCreateRetrieveAndUpdateAProduct() throws Exception {
        Product created = product("Starter pack", "starter");

        Product updated = client.v1()
                .products()
                .update(
                        created.getId(),
                        ProductUpdateParams.builder()
                                .setName("Starter pack 100k")
                                .setDescription("100k tokens")
                                .setActive(false)
                                .putMetadata("tokens", "100000")
                                .build());
        Product retrieved = client.v1().products().retrieve(created.getId());

        assertThat(created.getId()).startsWith("prod_");
        assertThat(created.getActive()).isTrue();
        assertThat(updated.getName()).isEqualTo("Starter pack 100k");
        assertThat(retrieved.getActive()).isFalse();
        assertThat(retrieved.getDescription()).isEqualTo("100k tokens");
        assertThat(retrieved.getMetadata()).containsEntry("slug", "starter").containsEntry("tokens", "100000");
        assertThat(fake.eventTypes()).containsExactly("product.created", "product.updated");
        assertThat(fake.events("product.updated")
                        .get(0)
                        .at("/data/previous_attributes/active")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void shouldCreateAProductWithItsOwnIdOnce() throws Exception {
        client.v1()
                .products()
                .create(ProductCreateParams.builder()
                        .setId("tokens-500k")
                        .setName("500k")
                        .build());

        assertThat(client.v1().products().retrieve("tokens-500k").getName()).isEqualTo("500k");
        assertThatThrownBy(() -> client.v1()
                        .products()
                        .create(ProductCreateParams.builder()
                                .setId("tokens-500k")
                                .setName("again")
                                .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getCode()).isEqualTo("resource_already_exists"));
    }

    @Test
    void shouldListAndSearchProducts() throws Exception {
        Product a = product("A", "a");
        Product b = product("B", "b");
        client.v1()
                .products()
                .update(
                        b.getId(),
                        ProductUpdateParams.builder().setActive(false).build());

        assertThat(client.v1()
                        .products()
                        .list(ProductListParams.builder().setActive(true).build())
                        .getData())
                .extracting(Product::getId)
                .containsExactly(a.getId());
        assertThat(client.v1()
                        .products()
                        .list(ProductListParams.builder().build())
                        .getData())
                .extracting(Product::getId)
                .containsExactly(b.getId(), a.getId());
        assertThat(client.v1()
                        .products()
                        .search(ProductSearchParams.builder()
                                .setQuery("metadata['slug']:'b'")
                                .build())
                        .getData())
                .extracting(Product::getId)
                .containsExactly(b.getId());
    }

    @Test
    void shouldRequireANameNamingTheParameter() {
        assertThatThrownBy(() -> client.v1()
                        .products()
                        .create(ProductCreateParams.builder().build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getCode()).isEqualTo("parameter_missing");
                    assertThat(e.getParam()).isEqualTo("name");
                });
    }

    @Test
    void shouldCreateOneTimeAndRecurringPrices() throws Exception {
        Product p = product("Pack", "pack");

        Price oneTime = price(p.getId(), 1999, "pack_usd");
        Price monthly = client.v1()
                .prices()
                .create(PriceCreateParams.builder()
                        .setProduct(p.getId())
                        .setCurrency("eur")
                        .setUnitAmount(900L)
                        .setRecurring(PriceCreateParams.Recurring.builder()
                                .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                                .build())
                        .build());

        assertThat(oneTime.getType()).isEqualTo("one_time");
        assertThat(oneTime.getUnitAmount()).isEqualTo(1999L);
        assertThat(oneTime.getUnitAmountDecimal()).isEqualByComparingTo("1999");
        assertThat(oneTime.getLookupKey()).isEqualTo("pack_usd");
        assertThat(oneTime.getProduct()).isEqualTo(p.getId());
        assertThat(monthly.getType()).isEqualTo("recurring");
        assertThat(monthly.getRecurring().getInterval()).isEqualTo("month");
        assertThat(monthly.getRecurring().getIntervalCount()).isEqualTo(1L);
        assertThat(fake.eventTypes()).containsExactly("product.created", "price.created", "price.created");
    }

    @Test
    void shouldCreateAPriceWithProductData() throws Exception {
        Price price = client.v1()
                .prices()
                .create(PriceCreateParams.builder()
                        .setCurrency("usd")
                        .setUnitAmount(500L)
                        .setProductData(PriceCreateParams.ProductData.builder()
                                .setName("Inline")
                                .build())
                        .build());

        assertThat(client.v1().products().retrieve(price.getProduct()).getName())
                .isEqualTo("Inline");
    }

    @Test
    void shouldRefuseALookupKeyInUseAndMoveItWithTransferLookupKey() throws Exception {
        Product p = product("Pack", "pack");
        Price old = price(p.getId(), 1000, "booster");

        assertThatThrownBy(() -> price(p.getId(), 1200, "booster"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getParam()).isEqualTo("lookup_key");
                    assertThat(e.getMessage()).contains(old.getId());
                });
        Price replacement = client.v1()
                .prices()
                .create(PriceCreateParams.builder()
                        .setProduct(p.getId())
                        .setCurrency("usd")
                        .setUnitAmount(1200L)
                        .setLookupKey("booster")
                        .setTransferLookupKey(true)
                        .build());

        assertThat(replacement.getLookupKey()).isEqualTo("booster");
        assertThat(client.v1().prices().retrieve(old.getId()).getLookupKey()).isNull();
        assertThat(client.v1()
                        .prices()
                        .list(PriceListParams.builder().addLookupKey("booster").build())
                        .getData())
                .extracting(Price::getId)
                .containsExactly(replacement.getId());
        assertThat(fake.eventTypes()).contains("price.updated");
    }

    @Test
    void shouldUpdateAPriceAndFilterTheList() throws Exception {
        Product p1 = product("One", "one");
        Product p2 = product("Two", "two");
        Price a = price(p1.getId(), 1000, null);
        Price b = price(p1.getId(), 2000, "b_key");
        Price c = price(p2.getId(), 3000, null);

        Price deactivated = client.v1()
                .prices()
                .update(
                        a.getId(),
                        PriceUpdateParams.builder()
                                .setActive(false)
                                .putMetadata("retired", "yes")
                                .setLookupKey("a_key")
                                .build());

        assertThat(deactivated.getActive()).isFalse();
        assertThat(deactivated.getMetadata()).containsEntry("retired", "yes");
        assertThat(deactivated.getLookupKey()).isEqualTo("a_key");
        assertThat(client.v1()
                        .prices()
                        .list(PriceListParams.builder().setProduct(p1.getId()).build())
                        .getData())
                .extracting(Price::getId)
                .containsExactly(b.getId(), a.getId());
        assertThat(client.v1()
                        .prices()
                        .list(PriceListParams.builder().setActive(true).build())
                        .getData())
                .extracting(Price::getId)
                .containsExactly(c.getId(), b.getId());
        assertThat(client.v1()
                        .prices()
                        .list(PriceListParams.builder()
                                .addLookupKey("a_key")
                                .addLookupKey("b_key")
                                .build())
                        .getData())
                .extracting(Price::getId)
                .containsExactlyInAnyOrder(a.getId(), b.getId());
        assertThat(client.v1()
                        .prices()
                        .search(PriceSearchParams.builder()
                                .setQuery("product:'" + p2.getId() + "'")
                                .build())
                        .getData())
                .extracting(Price::getId)
                .containsExactly(c.getId());
    }

    @Test
    void shouldRefuseAPriceOfAnUnknownProduct() {
        assertThatThrownBy(() -> price("prod_missing", 100, null))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                    assertThat(e.getParam()).isEqualTo("product");
                });
    }
}
