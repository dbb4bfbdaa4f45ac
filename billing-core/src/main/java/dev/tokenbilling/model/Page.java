package dev.tokenbilling.model;

import java.util.List;
import java.util.Optional;

/** One page of results, newest first; {@code nextCursor} is empty on the last page. */
public record Page<T>(List<T> items, Optional<String> nextCursor) {

    public Page {
        items = List.copyOf(items);
    }
}
