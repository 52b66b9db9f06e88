/**
 * Keeping Orchard's picture of every account in step with Apple: the intake of Apple's notifications (here:
 * authenticated, de-duplicated and stored before Apple is answered) and, with the sync capability, reconciling.
 */
package dev.orchard.server.sync;
