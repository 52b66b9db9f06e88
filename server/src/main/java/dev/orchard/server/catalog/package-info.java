/** The app catalog: app metadata and versions from Apple's lookups, and where apps are sold (R2, R3). */
package dev.orchard.server.catalog;
