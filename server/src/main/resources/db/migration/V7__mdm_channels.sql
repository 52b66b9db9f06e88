-- Orchard schema, part 7: MDM intake and delivery that hold against the real NanoMDM.
--
-- * Every channel an MDM reports (device channel, user channel, User Enrollment) is kept by the MDM's own
--   enrollment id with the facts its events carried (when it authenticated, when its token was updated and the
--   tally, when it checked out, when it last reported). NanoMDM posts events concurrently and never retries them,
--   so the enrolment state is derived from these facts, whatever order they came in.
-- * A command's targets are keyed by the channel they go to (a channel may be known before its serial number),
--   and each carries the command UUID of the enqueue request that carried it: NanoMDM stores a UUID once, so
--   every request has one of its own.

create table mdm_channels (
    enrollment_id      varchar(300) primary key,
    -- DEVICE, USER, SHARED_IPAD, USER_ENROLLMENT_DEVICE, USER_ENROLLMENT (NanoMDM's ids.type)
    channel_type       varchar(32)  not null,
    parent_id          varchar(300),
    server_id          bigint references mdm_servers (id) on delete set null,
    udid               varchar(64),
    serial_number      varchar(64),
    user_id            varchar(300),
    user_short_name    varchar(300),
    authenticated_at   timestamp with time zone,
    token_updated_at   timestamp with time zone,
    token_update_tally integer      not null default 0,
    checked_out_at     timestamp with time zone,
    reported_at        timestamp with time zone,
    -- the proof (token update or report) the current enrolment was counted on
    enrolled_at        timestamp with time zone,
    -- Orchard asked this silent channel again (DeviceInformation / ManagedApplicationList)
    asked_at           timestamp with time zone,
    asks               integer      not null default 0,
    updated_at         timestamp with time zone not null,
    constraint mdm_channels_type_check check (channel_type in
        ('DEVICE', 'USER', 'SHARED_IPAD', 'USER_ENROLLMENT_DEVICE', 'USER_ENROLLMENT'))
);
create index mdm_channels_serial_idx on mdm_channels (serial_number);
create index mdm_channels_parent_idx on mdm_channels (parent_id);
create index mdm_channels_silent_idx on mdm_channels (channel_type, asked_at);

-- the existing enrolments become device channels
insert into mdm_channels (enrollment_id, channel_type, server_id, serial_number, authenticated_at, token_updated_at,
                          token_update_tally, enrolled_at, updated_at)
select e.enrollment_id, case when d.enrollment_type = 'USER' then 'USER_ENROLLMENT_DEVICE' else 'DEVICE' end,
       e.server_id, e.serial_number, e.updated_at, e.enrolled_at, case when e.enrolled_at is null then 0 else 1 end,
       e.enrolled_at, e.updated_at
from mdm_enrollments e join devices d on d.serial_number = e.serial_number
where not exists (select 1 from mdm_enrollments o where o.enrollment_id = e.enrollment_id and o.serial_number < e.serial_number);

-- when Orchard found the device silent (enrolled but no answer, or authenticated but never enrolled), and why
alter table mdm_enrollments add column waiting_since timestamp with time zone;
alter table mdm_enrollments add column waiting_reason varchar(300);
create index mdm_enrollments_waiting_idx on mdm_enrollments (waiting_since);
create index mdm_enrollments_apps_idx on mdm_enrollments (state, apps_requested_at);

-- targets keyed by channel; the serial number is known for nearly every target but not for a channel Orchard
-- asks to identify itself
create table mdm_targets (
    command_uuid    varchar(36)  not null references mdm_commands (command_uuid) on delete cascade,
    enrollment_id   varchar(300) not null,
    serial_number   varchar(64),
    server_id       bigint,
    state           varchar(16)  not null,
    -- the CommandUUID of the request that carried it to the MDM (unique per request and attempt)
    wire_uuid       varchar(36),
    -- the last attempt's outcome is unknown (timeout, crash): resend the same request, never a new UUID
    unsure          boolean      not null default false,
    attempts        integer      not null default 0,
    next_attempt_at timestamp with time zone,
    delivered_at    timestamp with time zone,
    completed_at    timestamp with time zone,
    pushed_at       timestamp with time zone,
    push_error      varchar(1000),
    last_error      varchar(2000),
    result          varchar(2000),
    updated_at      timestamp with time zone not null,
    primary key (command_uuid, enrollment_id),
    constraint mdm_targets_state_check check (state in
        ('QUEUED', 'SENDING', 'DELIVERED', 'ACKNOWLEDGED', 'ERROR', 'FAILED', 'CANCELLED'))
);
insert into mdm_targets (command_uuid, enrollment_id, serial_number, server_id, state, wire_uuid, attempts,
                         next_attempt_at, delivered_at, completed_at, last_error, result, updated_at)
select command_uuid, enrollment_id, serial_number, server_id, state, command_uuid, attempts, next_attempt_at, delivered_at,
       completed_at, last_error, result, updated_at
from mdm_command_targets t
where not exists (select 1 from mdm_command_targets o where o.command_uuid = t.command_uuid
                  and o.enrollment_id = t.enrollment_id and o.serial_number < t.serial_number);
drop table mdm_command_targets;
create index mdm_targets_due_idx on mdm_targets (state, next_attempt_at);
create index mdm_targets_serial_idx on mdm_targets (serial_number, updated_at);
create index mdm_targets_wire_idx on mdm_targets (wire_uuid);
create index mdm_targets_waiting_idx on mdm_targets (state, delivered_at);

-- NanoHUB serves NanoMDM's API under /api/v1/nanomdm; a license-only server gets no install commands (another
-- tool installs), Orchard still assigns and reclaims
alter table mdm_servers add column url_form varchar(16) not null default 'NANOMDM';
alter table mdm_servers add column license_only boolean not null default false;
update mdm_servers set url_form = 'NANOHUB' where kind = 'NANOMDM' and (url like '%/nanomdm' or url like '%/nanomdm/');
