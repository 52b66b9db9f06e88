package dev.orchard.server.inventory;

/** A directory group: its id (what labels name), its display name and how many members it has. */
public record Group(String groupId, String name, long members) {
}
