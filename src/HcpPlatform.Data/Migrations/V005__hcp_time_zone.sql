-- Each HCP's local clock: the IANA time zone of its city (America/New_York, …). Event times stay UTC instants; touches
-- fall in local working hours and responses in local waking or business hours, so local times are
-- event_date AT TIME ZONE time_zone. Rows written before this column existed get '' (such a dataset is regenerated).
ALTER TABLE hcp.hcp_profiles ADD COLUMN time_zone character varying(40) NOT NULL DEFAULT '';
ALTER TABLE hcp.hcp_profiles ALTER COLUMN time_zone DROP DEFAULT;
