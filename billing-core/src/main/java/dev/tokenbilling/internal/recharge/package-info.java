/** Auto-recharge at work: the worker that buys packs off-session, and what a completed recharge purchase means. */
package dev.tokenbilling.internal.recharge;
