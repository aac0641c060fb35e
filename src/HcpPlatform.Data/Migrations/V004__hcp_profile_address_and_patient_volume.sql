-- Where an HCP practises (a street address shared by its organization, a ZIP code of its city) and how many patients a
-- month it treats in its brand's class (the baseline of its prescribing: patient_volume × base_conversion_rate). The
-- defaults only fill the rows of a dataset generated before these columns existed; every generation writes them.
ALTER TABLE hcp.hcp_profiles
    ADD COLUMN address_line character varying(200) NOT NULL DEFAULT '',
    ADD COLUMN zip character varying(5) NOT NULL DEFAULT '',
    ADD COLUMN patient_volume integer NOT NULL DEFAULT 0;
CREATE INDEX ix_hcp_profiles_zip ON hcp.hcp_profiles (zip);
