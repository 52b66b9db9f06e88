/**
 * The durable outbox of Apple operations: targets queued with the decisions that caused them, batched into the
 * fewest requests Apple's limits allow, sent through the per-account gateway, tracked to Apple's eventId and
 * completed from notifications or status polls; partial failures handled per target.
 */
package dev.orchard.server.operations;
