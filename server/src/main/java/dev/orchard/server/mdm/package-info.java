/**
 * Driving the MDM: Apple's app commands built as plists, delivered durably through a connector (NanoMDM or NanoHUB, a
 * generic webhook) with a command UUID of its own per request and tracked to their results per channel; what the MDM
 * reports (enrolments, check-outs, command results, app lists), applied by the facts it carries in whatever order it
 * arrives, fed back into the inventory; silent devices asked again; installs on license confirmation, re-installs
 * after erase (R10), updates (R9).
 */
package dev.orchard.server.mdm;
