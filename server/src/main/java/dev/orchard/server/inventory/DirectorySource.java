package dev.orchard.server.inventory;

import java.time.Instant;

/**
 * A directory Orchard reads users and groups from (today: LDAP or Active Directory), with how to read it and how
 * its last sync went. The bind password is stored encrypted and never shown ({@code hasBindPassword}).
 * {@code onDelete}: what a user deleted in the directory becomes — {@code RECLAIM} removes the user (their group
 * memberships go, so rule R4a reclaims their licenses), {@code KEEP} keeps the user and memberships, detached from
 * the source. {@code caCertificate}: the PEM certificate of the CA that signed the directory's certificate, for
 * {@code ldaps://} and StartTLS (none: the JVM's trust store decides).
 */
public record DirectorySource(long id, String name, Kind kind, String url, boolean startTls, String bindDn,
                              boolean hasBindPassword, String userBaseDn, String userFilter, String groupBaseDn,
                              String groupFilter, String userIdAttribute, String emailAttribute,
                              String managedAppleIdAttribute, String displayNameAttribute, String groupIdAttribute,
                              String groupNameAttribute, String memberAttribute, int pageSize, int syncMinutes,
                              OnDelete onDelete, boolean enabled, String caCertificate, Instant lastSyncAt, Instant lastFullSyncAt,
                              String lastResult, String lastError, String lastSummary, long userCount, long groupCount,
                              Instant createdAt, Instant updatedAt) {

    /** The protocol of a source. */
    public enum Kind {
        LDAP
    }

    /** What a user deleted in the directory becomes in Orchard. */
    public enum OnDelete {
        RECLAIM, KEEP
    }
}
