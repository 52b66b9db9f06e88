-- A label's exclusions: targets it never takes in, whatever its other targets say ("every device except the
-- kiosks", "the Sales group but not its contractors"). Stored with the label's targets, marked.
alter table label_targets add column excluded boolean default false not null;
