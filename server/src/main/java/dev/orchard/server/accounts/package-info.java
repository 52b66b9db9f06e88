/**
 * Apple license accounts (content tokens): adding, validating, claiming and renewing them, their state, and the
 * per-account Apple gateway every Apple call of the server goes through (rate limit, concurrency, Retry-After
 * block, backoff, ownership guard).
 */
package dev.orchard.server.accounts;
