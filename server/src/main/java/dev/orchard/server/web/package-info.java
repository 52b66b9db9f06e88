/**
 * HTTP adapters: the REST API under {@code /api/v1} (records in, records out, RFC 9457 problems), and the webhooks
 * Apple and MDMs call. Nothing below depends on this module.
 */
package dev.orchard.server.web;
