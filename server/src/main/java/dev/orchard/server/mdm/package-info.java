/**
 * Driving the MDM: Apple's app commands built as plists, delivered durably through a connector (NanoMDM or a generic
 * webhook) and tracked to their results; what the MDM reports (enrolments, check-outs, command results, app lists)
 * fed back into the inventory; installs on license confirmation, re-installs after erase (R10), updates (R9).
 */
package dev.orchard.server.mdm;
