-- SCIM provisioning: tokens for the SCIM endpoints only (an API token is refused there, a SCIM token under /api),
-- and what SCIM says of users and groups beside what the API knows.
alter table api_tokens add column scope varchar(8) not null default 'API';
-- a SCIM user deactivated by the identity provider: kept, out of every group (so R4a reclaims), shown inactive
alter table directory_users add column active boolean not null default true;
alter table directory_users add column external_id varchar(256);
alter table directory_groups add column external_id varchar(256);
