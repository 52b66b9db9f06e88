/**
 * The licensing engine: decides from labels, app settings, devices and users which license each target gets from
 * which account (a pure policy), records the decisions as ledger intents and queued Apple operations, keeps the
 * waitlist, and reclaims licenses per rule R4.
 */
package dev.orchard.server.licensing;
