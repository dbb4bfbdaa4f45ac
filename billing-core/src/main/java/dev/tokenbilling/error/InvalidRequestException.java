package dev.tokenbilling.error;

/** A caller passed a value the library refuses; nothing was changed. Names the offending field. */
public class InvalidRequestException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidRequestException(String field, String problem) {
        super(BillingError.INVALID_REQUEST, field + ": " + problem);
        this.field = field;
    }

    /** The name of the parameter or field that was rejected, e.g. {@code "userId"}. */
    public String field() {
        return field;
    }
}
