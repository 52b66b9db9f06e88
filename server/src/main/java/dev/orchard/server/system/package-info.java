/**
 * Cross-cutting infrastructure: clock, configuration, encryption of secrets at rest, the installation's
 * identity, authentication (API tokens, the local admin) and scheduling wiring.
 */
package dev.orchard.server.system;
