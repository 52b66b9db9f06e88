/**
 * What Orchard knows about the organisation: devices (from the MDM or the API), directory users and groups,
 * Apple License Labels and App labels with their targets, and per-app license settings.
 */
package dev.orchard.server.inventory;
