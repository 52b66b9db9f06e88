package dev.orchard.server.licensing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Label;
import dev.orchard.server.inventory.LabelTarget;

/**
 * An App label's rollout, app by app: of the active devices the label takes in (its targets, less its exclusions),
 * how many have the app's license (their own, or their owner's user-based one), are being assigned one, wait for a
 * license, are blocked, were opted out on purpose, and how many the pass has not decided on yet. "238 of 300
 * licensed, 12 being assigned, 50 waiting".
 *
 * <p>It is one query per app: the label's targets become a condition on {@code devices} (a GROUP through its
 * members), and each covered device is put in the first state that holds for it. Licenses are read through the
 * ledger's view ({@code ledger_licenses}): held (Apple holds it, Orchard is not changing it) or not yet at Apple
 * (Orchard's assignment is in flight). Devices are what an administrator
 * counts; a user-based license counts for every device of its user.
 */
@Service
public class LabelRollout {

    /** Where one app of the label stands over the label's devices. */
    public record AppProgress(String adamId, long devices, long licensed, long assigning, long waiting, long blocked,
                              long optedOut, long pending) {
        /** Every device has the license (a label with no device is not "done"). */
        public boolean done() {
            return devices > 0 && licensed == devices;
        }

        /** Percent licensed, for a bar. */
        public int percent() {
            return devices == 0 ? 0 : (int) (licensed * 100 / devices);
        }
    }

    /** The label's progress: one entry per app; {@code settled} when nothing is being assigned or still undecided. */
    public record Progress(long labelId, String name, List<AppProgress> apps) {
        public boolean settled() {
            return apps.stream().allMatch(a -> a.assigning() == 0 && a.pending() == 0);
        }
    }

    private final JdbcClient jdbc;
    private final Inventory inventory;

    LabelRollout(JdbcClient jdbc, Inventory inventory) {
        this.jdbc = jdbc;
        this.inventory = inventory;
    }

    /** The App label's progress (an Apple License Label names no apps: its list is empty). */
    public Progress of(long labelId) {
        Label label = inventory.label(labelId);
        var apps = new ArrayList<AppProgress>();
        if (label.kind() == Label.Kind.APP && !label.targets().isEmpty()) {
            for (String adamId : label.adamIds()) {
                apps.add(app(label, adamId));
            }
        }
        return new Progress(label.id(), label.name(), apps);
    }

    private AppProgress app(Label label, String adamId) {
        var params = new ArrayList<Object>();
        String covered = covered(label, params);
        String sql = "select state, count(*) from (select case "
                + "when exists (select 1 from ledger_licenses l where l.serial_number = c.serial_number and l.adam_id = ? and l.held) "
                + "  or exists (select 1 from ledger_licenses l where l.client_user_id = c.owner_user_id and l.adam_id = ? and l.held) "
                + "  then 'LICENSED' "
                + "when exists (select 1 from ledger_licenses l where l.serial_number = c.serial_number and l.adam_id = ? "
                + "  and not l.at_apple) "
                + "  or exists (select 1 from ledger_licenses l where l.client_user_id = c.owner_user_id and l.adam_id = ? "
                + "  and not l.at_apple) then 'ASSIGNING' "
                + "when exists (select 1 from license_opt_outs o where o.holder_type = 'DEVICE' and o.holder = c.serial_number and o.adam_id = ?) "
                + "  or exists (select 1 from license_opt_outs o where o.holder_type = 'USER' and o.holder = c.owner_user_id and o.adam_id = ?) "
                + "  then 'OPTED_OUT' "
                + "when exists (select 1 from waitlist w where w.holder_type = 'DEVICE' and w.holder = c.serial_number and w.adam_id = ? and w.kind = 'BLOCKED') "
                + "  or exists (select 1 from waitlist w where w.holder_type = 'USER' and w.holder = c.owner_user_id and w.adam_id = ? and w.kind = 'BLOCKED') "
                + "  then 'BLOCKED' "
                + "when exists (select 1 from waitlist w where w.holder_type = 'DEVICE' and w.holder = c.serial_number and w.adam_id = ?) "
                + "  or exists (select 1 from waitlist w where w.holder_type = 'USER' and w.holder = c.owner_user_id and w.adam_id = ?) "
                + "  then 'WAITING' "
                + "else 'PENDING' end as state "
                + "from devices c where " + covered + ") x group by state";
        var all = new ArrayList<Object>();
        for (int i = 0; i < 10; i++) {
            all.add(adamId);
        }
        all.addAll(params);
        Map<String, Long> counts = jdbc.sql(sql).params(all).query((rs, n) -> Map.entry(rs.getString(1), rs.getLong(2))).list()
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        long devices = counts.values().stream().mapToLong(Long::longValue).sum();
        return new AppProgress(adamId, devices, counts.getOrDefault("LICENSED", 0L), counts.getOrDefault("ASSIGNING", 0L),
                counts.getOrDefault("WAITING", 0L), counts.getOrDefault("BLOCKED", 0L), counts.getOrDefault("OPTED_OUT", 0L),
                counts.getOrDefault("PENDING", 0L));
    }

    /**
     * The label's active devices as a condition on device {@code c}: what {@link Label#coversDevice} says, in SQL
     * ({@code LabelRolloutTests} holds the two to the same answers). Every part is true or false, never null: a device
     * without an owner compared to a user is unknown in SQL, and {@code not} of unknown would have excluded it.
     */
    static String covered(Label label, List<Object> params) {
        return "c.status = 'ACTIVE' and (" + condition(label.targets(), params) + ")"
                + (label.exclusions().isEmpty() ? "" : " and not (" + condition(label.exclusions(), params) + ")");
    }

    private static String condition(List<LabelTarget> targets, List<Object> params) {
        var parts = new ArrayList<String>();
        for (LabelTarget t : targets) {
            switch (t.type()) {
                case ALL -> parts.add("1 = 1");
                case SERIAL -> {
                    parts.add("c.serial_number = ?");
                    params.add(t.value());
                }
                case USER -> {
                    parts.add("(c.owner_user_id is not null and c.owner_user_id = ?)");
                    params.add(t.value());
                }
                case GROUP -> {
                    parts.add("(c.owner_user_id is not null and c.owner_user_id in (select m.user_id from group_members m "
                            + "where m.group_id = ?))");
                    params.add(t.value());
                }
                case RULE -> {
                    var rule = new ArrayList<String>();
                    if (t.platform() != null) {
                        rule.add("c.platform = ?");
                        params.add(t.platform().name());
                    }
                    if (t.sharedIpad() != null) {
                        rule.add("c.shared_ipad = ?");
                        params.add(t.sharedIpad());
                    }
                    if (t.enrollment() != null) {
                        rule.add("c.enrollment_type = ?");
                        params.add(t.enrollment().name());
                    }
                    parts.add("(" + String.join(" and ", rule) + ")");
                }
            }
        }
        return parts.isEmpty() ? "1 = 0" : String.join(" or ", parts);
    }
}
