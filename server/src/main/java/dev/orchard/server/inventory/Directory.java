package dev.orchard.server.inventory;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Directory users, groups and memberships. */
@Repository
class Directory {

    private final JdbcClient jdbc;

    Directory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    int upsertUsers(List<DirectoryUser> users, Instant now) {
        int created = 0;
        Timestamp ts = Timestamp.from(now);
        for (DirectoryUser u : users) {
            if (jdbc.sql("update directory_users set email = ?, managed_apple_id = ?, display_name = ?, updated_at = ? "
                    + "where user_id = ?").params(u.email(), u.managedAppleId(), u.displayName(), ts, u.userId()).update() == 0) {
                jdbc.sql("insert into directory_users (user_id, email, managed_apple_id, display_name, created_at, updated_at) "
                        + "values (?, ?, ?, ?, ?, ?)").params(u.userId(), u.email(), u.managedAppleId(), u.displayName(), ts, ts)
                        .update();
                created++;
            }
        }
        return created;
    }

    Optional<DirectoryUser> user(String id) {
        return jdbc.sql("select * from directory_users where user_id = ?").param(id).query((rs, n) -> new DirectoryUser(
                rs.getString("user_id"), rs.getString("email"), rs.getString("managed_apple_id"), rs.getString("display_name")))
                .optional();
    }

    /** The user whose id, managed Apple account or e-mail is {@code account} (case-insensitive for the addresses). */
    Optional<String> userIdOf(String account) {
        return jdbc.sql("select user_id from directory_users where user_id = ? or lower(managed_apple_id) = lower(?) "
                + "or lower(email) = lower(?) order by case when user_id = ? then 0 when lower(managed_apple_id) = lower(?) "
                + "then 1 else 2 end, user_id").params(account, account, account, account, account).query(String.class)
                .list().stream().findFirst();
    }

    List<DirectoryUser> users(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select * from directory_users where user_id in (:ids)").param("ids", ids).query((rs, n) ->
                new DirectoryUser(rs.getString("user_id"), rs.getString("email"), rs.getString("managed_apple_id"),
                        rs.getString("display_name"))).list();
    }

    List<DirectoryUser> usersPage(String search, String after, int limit) {
        String like = search == null || search.isBlank() ? null : search.strip().toLowerCase(java.util.Locale.ROOT) + "%";
        return jdbc.sql("""
                select * from directory_users where user_id > ?
                  and (cast(? as varchar) is null or lower(user_id) like ? or lower(email) like ? or lower(display_name) like ?)
                order by user_id limit ?
                """).params(after == null ? "" : after, like, like, like, like, limit).query((rs, n) -> new DirectoryUser(
                rs.getString("user_id"), rs.getString("email"), rs.getString("managed_apple_id"), rs.getString("display_name")))
                .list();
    }

    /** A source's users as stored: by user id, with the entry's DN and attributes. */
    Map<String, LdapReader.Entry> sourceUsers(long sourceId) {
        Map<String, LdapReader.Entry> out = new HashMap<>();
        jdbc.sql("select * from directory_users where source_id = ?").param(sourceId).query((rs, n) -> out.put(rs.getString("user_id"),
                new LdapReader.Entry(rs.getString("source_dn"), new DirectoryUser(rs.getString("user_id"), rs.getString("email"),
                        rs.getString("managed_apple_id"), rs.getString("display_name"))))).list();
        return out;
    }

    /** Stores a source's user (adopting one the API created with the same id); true when it was new. */
    boolean upsertSourceUser(long sourceId, LdapReader.Entry e, Instant now) {
        DirectoryUser u = e.user();
        Timestamp ts = Timestamp.from(now);
        if (jdbc.sql("update directory_users set email = ?, managed_apple_id = ?, display_name = ?, source_id = ?, source_dn = ?, "
                + "updated_at = ? where user_id = ?").params(u.email(), u.managedAppleId(), u.displayName(), sourceId, e.dn(), ts,
                u.userId()).update() == 1) {
            return false;
        }
        jdbc.sql("insert into directory_users (user_id, email, managed_apple_id, display_name, source_id, source_dn, created_at, "
                + "updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)").params(u.userId(), u.email(), u.managedAppleId(), u.displayName(),
                sourceId, e.dn(), ts, ts).update();
        return true;
    }

    /** The users stay, no longer the source's (a directory deletion kept as the administrator chose). */
    void detachUsers(long sourceId, Collection<String> ids) {
        if (!ids.isEmpty()) {
            jdbc.sql("update directory_users set source_id = null, source_dn = null where source_id = :s and user_id in (:ids)")
                    .param("s", sourceId).param("ids", ids).update();
        }
    }

    List<String> sourceGroups(long sourceId) {
        return jdbc.sql("select group_id from directory_groups where source_id = ?").param(sourceId).query(String.class).list();
    }

    /** Stores a source's group (adopting one with the same id); true when it was new. */
    boolean saveSourceGroup(long sourceId, String id, String name, Instant now) {
        if (jdbc.sql("update directory_groups set name = ?, source_id = ? where group_id = ?").params(name, sourceId, id).update() == 1) {
            return false;
        }
        jdbc.sql("insert into directory_groups (group_id, name, source_id, created_at) values (?, ?, ?, ?)")
                .params(id, name, sourceId, Timestamp.from(now)).update();
        return true;
    }

    /** What SCIM keeps of a user beside the API's fields: whether active, and the provider's own id. */
    record Provisioned(boolean active, String externalId) {
    }

    Optional<Provisioned> provisioned(String userId) {
        return jdbc.sql("select active, external_id from directory_users where user_id = ?").param(userId)
                .query((rs, n) -> new Provisioned(rs.getBoolean(1), rs.getString(2))).optional();
    }

    void provision(String userId, boolean active, String externalId) {
        jdbc.sql("update directory_users set active = ?, external_id = ? where user_id = ?").params(active, externalId, userId)
                .update();
    }

    Optional<String> userIdByExternalId(String externalId) {
        return jdbc.sql("select user_id from directory_users where external_id = ? order by user_id").param(externalId)
                .query(String.class).list().stream().findFirst();
    }

    /** A page of users by user id, from a 0-based position (SCIM pages by index). */
    List<DirectoryUser> usersAt(int offset, int limit) {
        return jdbc.sql("select * from directory_users order by user_id limit ? offset ?").params(limit, offset)
                .query((rs, n) -> new DirectoryUser(rs.getString("user_id"), rs.getString("email"), rs.getString("managed_apple_id"),
                        rs.getString("display_name"))).list();
    }

    long userCount() {
        return jdbc.sql("select count(*) from directory_users").query(Long.class).single();
    }

    /** The user's groups, each left; returns the groups. */
    List<String> leaveAllGroups(String userId) {
        List<String> groups = jdbc.sql("select group_id from group_members where user_id = ? order by group_id").param(userId)
                .query(String.class).list();
        jdbc.sql("delete from group_members where user_id = ?").param(userId).update();
        return groups;
    }

    List<String> groupsOfUser(String userId) {
        return jdbc.sql("select group_id from group_members where user_id = ? order by group_id").param(userId)
                .query(String.class).list();
    }

    Optional<String> groupExternalId(String groupId) {
        return jdbc.sql("select external_id from directory_groups where group_id = ?").param(groupId).query(String.class)
                .optional().filter(v -> v != null);
    }

    void setGroupExternalId(String groupId, String externalId) {
        jdbc.sql("update directory_groups set external_id = ? where group_id = ?").params(externalId, groupId).update();
    }

    boolean deleteUser(String id) {
        return jdbc.sql("delete from directory_users where user_id = ?").param(id).update() == 1;
    }

    void createGroup(String id, String name, Instant now) {
        if (jdbc.sql("update directory_groups set name = ? where group_id = ?").params(name, id).update() == 0) {
            jdbc.sql("insert into directory_groups (group_id, name, created_at) values (?, ?, ?)")
                    .params(id, name, Timestamp.from(now)).update();
        }
    }

    java.util.Optional<String> groupName(String id) {
        return jdbc.sql("select name from directory_groups where group_id = ?").param(id).query(String.class).optional();
    }

    boolean groupExists(String id) {
        return jdbc.sql("select count(*) from directory_groups where group_id = ?").param(id).query(Integer.class).single() == 1;
    }

    boolean deleteGroup(String id) {
        return jdbc.sql("delete from directory_groups where group_id = ?").param(id).update() == 1;
    }

    List<Group> groups() {
        return jdbc.sql("""
                select g.group_id, g.name, (select count(*) from group_members m where m.group_id = g.group_id) as members
                from directory_groups g order by g.name
                """).query((rs, n) -> new Group(rs.getString(1), rs.getString(2), rs.getLong(3))).list();
    }

    List<String> members(String group) {
        return jdbc.sql("select user_id from group_members where group_id = ? order by user_id").param(group)
                .query(String.class).list();
    }

    /** A page of the group's members, by user id, after {@code after} ("" for the first). */
    List<String> members(String group, String after, int limit) {
        return jdbc.sql("select user_id from group_members where group_id = ? and user_id > ? order by user_id limit ?")
                .params(group, after, limit).query(String.class).list();
    }

    /** Returns the users actually added. */
    int addMembers(String group, Collection<String> users) {
        int added = 0;
        for (String u : users) {
            if (jdbc.sql("select count(*) from group_members where group_id = ? and user_id = ?").params(group, u)
                    .query(Integer.class).single() == 0) {
                jdbc.sql("insert into group_members (group_id, user_id) values (?, ?)").params(group, u).update();
                added++;
            }
        }
        return added;
    }

    int removeMembers(String group, Collection<String> users) {
        if (users.isEmpty()) {
            return 0;
        }
        return jdbc.sql("delete from group_members where group_id = :g and user_id in (:users)").param("g", group)
                .param("users", users).update();
    }

    List<String> missingUsers(Collection<String> users) {
        if (users.isEmpty()) {
            return List.of();
        }
        Set<String> known = new HashSet<>(jdbc.sql("select user_id from directory_users where user_id in (:u)")
                .param("u", users).query(String.class).list());
        return users.stream().filter(u -> !known.contains(u)).distinct().toList();
    }

    /** The groups each of these users belongs to. */
    Map<String, Set<String>> groupsOf(Collection<String> users) {
        Map<String, Set<String>> groups = new HashMap<>();
        if (users.isEmpty()) {
            return groups;
        }
        jdbc.sql("select user_id, group_id from group_members where user_id in (:u)").param("u", users)
                .query((rs, n) -> groups.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2))).list();
        return groups;
    }
}
