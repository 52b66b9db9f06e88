/**
 * Apple's wire types for the Apps and Books API v2, as immutable records named after Apple's object names
 * ({@code ResponseAsset}, {@code ManageAssetsRequest}, …). Unknown fields are ignored and unknown enum values
 * read as {@code UNKNOWN}, because Apple adds fields and values without notice.
 */
package dev.orchard.apple.model;
