package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.testkit.stripe.internal.FormParser;
import dev.tokenbilling.testkit.stripe.internal.Params;
import dev.tokenbilling.testkit.stripe.internal.StripeApiError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormParserTest {

    @Test
    void shouldParseNestedHashesAndDecodeValues() {
        Params p = new Params(FormParser.parse(
                "amount=1999&metadata[order_id]=A%2012&payment_method_data[card][number]=4242424242424242"));
        assertThat(p.integer("amount")).isEqualTo(1999L);
        assertThat(p.stringMap("metadata")).containsEntry("order_id", "A 12");
        assertThat(p.map("payment_method_data").map("card").string("number")).isEqualTo("4242424242424242");
    }

    @Test
    void shouldReadAppendedAndIndexedArraysAlike() {
        Params appended = new Params(FormParser.parse("expand[]=customer&expand[]=latest_charge"));
        Params indexed = new Params(FormParser.parse("expand[1]=latest_charge&expand[0]=customer"));
        assertThat(appended.expand()).containsExactly("customer", "latest_charge");
        assertThat(indexed.expand()).containsExactly("customer", "latest_charge");
    }

    @Test
    void shouldGroupArraysOfHashes() {
        Map<String, Object> tree =
                FormParser.parse("items[][price]=a&items[][quantity]=1&items[][price]=b&items[][quantity]=2");
        assertThat(tree.get("items"))
                .isEqualTo(List.of(Map.of("price", "a", "quantity", "1"), Map.of("price", "b", "quantity", "2")));
    }

    @Test
    void shouldNameTheParameterOfAMalformedValue() {
        Params p = new Params(FormParser.parse("amount=12x&card[exp_month]=abc"));
        assertThatThrownBy(() -> p.integer("amount")).isInstanceOfSatisfying(StripeApiError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.toJson(null).at("/error/param").asText()).isEqualTo("amount");
        });
        assertThatThrownBy(() -> p.map("card").integer("exp_month"))
                .isInstanceOfSatisfying(
                        StripeApiError.class,
                        e -> assertThat(e.toJson(null).at("/error/param").asText())
                                .isEqualTo("card[exp_month]"));
    }

    @Test
    void shouldRefuseAValueThatIsAlsoAHash() {
        assertThatThrownBy(() -> FormParser.parse("metadata=x&metadata[a]=b"))
                .isInstanceOfSatisfying(
                        StripeApiError.class,
                        e -> assertThat(e.toJson(null).at("/error/param").asText())
                                .isEqualTo("metadata"));
        assertThatThrownBy(() -> FormParser.parse("metadata[a=b")).isInstanceOf(StripeApiError.class);
    }

    @Test
    void shouldRefuseUnknownParameters() {
        Params p = new Params(FormParser.parse("amount=1&colour=red"));
        assertThatThrownBy(() -> p.allowOnly("amount")).isInstanceOfSatisfying(StripeApiError.class, e -> {
            assertThat(e.code()).isEqualTo("parameter_unknown");
            assertThat(e.getMessage()).contains("colour");
        });
    }
}
