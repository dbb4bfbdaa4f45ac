package dev.tokenbilling.model;

import java.math.BigDecimal;

/**
 * What {@code purchases().start} returns to the page that pays: the response
 * ({@code payment_intent_id}, {@code client_secret}, {@code amount}, {@code token_amount},
 * {@code purchase_id}). The client secret goes to the paying user's browser only.
 */
public record PurchaseIntent(
        long purchaseId, String paymentIntentId, String clientSecret, Money amount, long tokenAmount) {

    /** The amount in major units, as the REST API shows it ({@code 20.00}). */
    public BigDecimal amountMajor() {
        return amount.majorUnits();
    }

    @Override
    public String toString() {
        return "PurchaseIntent[purchaseId=" + purchaseId + ", paymentIntentId=" + paymentIntentId + ", amount=" + amount
                + ", tokenAmount=" + tokenAmount + "]";
    }
}
