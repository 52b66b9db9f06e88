/** Alerts: notices to people (e-mail, webhooks) about what needs them — tokens, blocks, pools, failures, MDMs, leaks. */
package dev.orchard.server.alerts;
