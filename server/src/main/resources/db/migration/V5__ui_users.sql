-- Orchard schema, part 5: people who sign in to the admin UI have a role like API tokens (viewer, operator, admin).
alter table admin_users add column role varchar(16) not null default 'ADMIN';
