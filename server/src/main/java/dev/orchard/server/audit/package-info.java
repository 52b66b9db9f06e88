/**
 * The append-only audit trail: every license change and administrator action, with who (a person, an API token or
 * the rule that fired), what, when and the outcome.
 */
package dev.orchard.server.audit;
