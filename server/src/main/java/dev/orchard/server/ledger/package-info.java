/**
 * The license truth: licenses, pools and Apple users, and the only module that writes them. Commands (intend, confirm,
 * remove, reclaim, a sync page seen) and the license events, published the same way whichever path a fact came by.
 */
package dev.orchard.server.ledger;
