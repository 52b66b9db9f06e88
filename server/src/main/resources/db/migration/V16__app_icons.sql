-- App icons, fetched once from the URL Apple's lookup gave and served by Orchard (the pages never load images
-- from elsewhere; an icon Apple moved is fetched again when its URL changes).
create table app_icons (
    adam_id      varchar(32)   primary key,
    source_url   varchar(2000) not null,
    content_type varchar(100)  not null,
    bytes        bytea         not null,
    fetched_at   timestamp with time zone not null
);
