-- How a UI user signs in: LOCAL (a password Orchard checks) or OIDC (the provider; no password, role from its claim).
alter table admin_users add column origin varchar(16) not null default 'LOCAL';

-- A directory source's own CA certificate (PEM) for ldaps:// and StartTLS, for directories whose certificate an
-- internal CA signed; none: the JVM's trust store decides.
alter table directory_sources add column ca_certificate varchar(20000);
