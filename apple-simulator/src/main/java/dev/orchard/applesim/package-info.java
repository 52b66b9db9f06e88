/**
 * A stateful simulator of Apple's Apps and Books for Organizations service (API v2 under {@code /mdm/v2}, the two
 * metadata lookups, and notifications to the MDM), with a control API under {@code /_sim} to script purchases,
 * takeovers, token expiry and faults. Built from Apple's documentation; where Apple is silent the documented
 * default is taken and made switchable in {@link dev.orchard.applesim.Settings}.
 */
package dev.orchard.applesim;
