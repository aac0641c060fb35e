-- V001: the dataset tables (schema hcp) and the platform tables (schema platform).
-- Written by hand; must describe exactly the EF Core model in HcpDbContext (a test compares them).

CREATE SCHEMA IF NOT EXISTS hcp;
CREATE SCHEMA IF NOT EXISTS platform;

CREATE TABLE hcp.hcp_profiles (
    id uuid NOT NULL,
    hcp_index integer NOT NULL,
    npi character varying(10) NOT NULL,
    first_name character varying(100) NOT NULL,
    last_name character varying(100) NOT NULL,
    credential character varying(10) NOT NULL,
    specialty character varying(50) NOT NULL,
    taxonomy_code character varying(10) NOT NULL,
    tier character varying(10) NOT NULL,
    segment character varying(50) NOT NULL,
    state character varying(2) NOT NULL,
    city character varying(100) NOT NULL,
    region character varying(20) NOT NULL,
    organization character varying(200) NOT NULL,
    channel_affinities jsonb NOT NULL,
    preferred_channel character varying(20) NOT NULL,
    preferred_content character varying(50) NOT NULL,
    response_latency_factor double precision NOT NULL,
    engagement_volatility double precision NOT NULL,
    base_conversion_rate double precision NOT NULL,
    channel_engagements jsonb NOT NULL DEFAULT '[]'::jsonb,
    engagement_score double precision NOT NULL DEFAULT 0,
    is_fixture boolean NOT NULL DEFAULT false,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_hcp_profiles PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_hcp_profiles_npi ON hcp.hcp_profiles (npi);
CREATE UNIQUE INDEX ix_hcp_profiles_hcp_index ON hcp.hcp_profiles (hcp_index);
CREATE INDEX ix_hcp_profiles_specialty_tier ON hcp.hcp_profiles (specialty, tier);
CREATE INDEX ix_hcp_profiles_state_city ON hcp.hcp_profiles (state, city);

CREATE TABLE hcp.campaigns (
    id uuid NOT NULL,
    name character varying(200) NOT NULL,
    description text NULL,
    campaign_type character varying(50) NOT NULL,
    channels jsonb NOT NULL,
    target_segments jsonb NULL,
    start_date timestamp with time zone NOT NULL,
    end_date timestamp with time zone NOT NULL,
    budget double precision NULL,
    status character varying(20) NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_campaigns PRIMARY KEY (id)
);
CREATE INDEX ix_campaigns_start_date_end_date ON hcp.campaigns (start_date, end_date);

CREATE TABLE hcp.prescribing_history (
    id uuid NOT NULL,
    hcp_id uuid NOT NULL,
    month timestamp with time zone NOT NULL,
    rx_count integer NOT NULL,
    market_share double precision NOT NULL,
    product_mix jsonb NULL,
    data_source character varying(50) NOT NULL DEFAULT 'synthetic',
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_prescribing_history PRIMARY KEY (id),
    CONSTRAINT fk_prescribing_history_hcp_profiles_hcp_id FOREIGN KEY (hcp_id) REFERENCES hcp.hcp_profiles (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_prescribing_history_hcp_id_month ON hcp.prescribing_history (hcp_id, month);
CREATE INDEX ix_prescribing_history_month ON hcp.prescribing_history (month);

CREATE TABLE hcp.territory_assignments (
    id uuid NOT NULL,
    rep_id character varying(100) NOT NULL,
    rep_name character varying(200) NOT NULL,
    hcp_id uuid NOT NULL,
    territory character varying(100) NOT NULL,
    region character varying(100) NOT NULL,
    assigned_at timestamp with time zone NOT NULL,
    is_primary boolean NOT NULL DEFAULT true,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_territory_assignments PRIMARY KEY (id),
    CONSTRAINT fk_territory_assignments_hcp_profiles_hcp_id FOREIGN KEY (hcp_id) REFERENCES hcp.hcp_profiles (id) ON DELETE CASCADE
);
CREATE INDEX ix_territory_assignments_hcp_id ON hcp.territory_assignments (hcp_id);
CREATE INDEX ix_territory_assignments_rep_id ON hcp.territory_assignments (rep_id);

CREATE TABLE hcp.campaign_participation (
    id uuid NOT NULL,
    campaign_id uuid NOT NULL,
    hcp_id uuid NOT NULL,
    enrolled_at timestamp with time zone NOT NULL,
    status character varying(20) NOT NULL,
    touch_count integer NOT NULL DEFAULT 0,
    response_count integer NOT NULL DEFAULT 0,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_campaign_participation PRIMARY KEY (id),
    CONSTRAINT fk_campaign_participation_campaigns_campaign_id FOREIGN KEY (campaign_id) REFERENCES hcp.campaigns (id) ON DELETE CASCADE,
    CONSTRAINT fk_campaign_participation_hcp_profiles_hcp_id FOREIGN KEY (hcp_id) REFERENCES hcp.hcp_profiles (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_campaign_participation_campaign_id_hcp_id ON hcp.campaign_participation (campaign_id, hcp_id);
CREATE INDEX ix_campaign_participation_hcp_id ON hcp.campaign_participation (hcp_id);

CREATE TABLE hcp.stimuli_events (
    id uuid NOT NULL,
    hcp_id uuid NOT NULL,
    campaign_id uuid NULL,
    channel character varying(20) NOT NULL,
    stimulus_type character varying(50) NOT NULL,
    content_category character varying(50) NULL,
    event_date timestamp with time zone NOT NULL,
    rep_id character varying(100) NULL,
    delivery_status character varying(20) NOT NULL DEFAULT 'delivered',
    metadata jsonb NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_stimuli_events PRIMARY KEY (id),
    CONSTRAINT fk_stimuli_events_hcp_profiles_hcp_id FOREIGN KEY (hcp_id) REFERENCES hcp.hcp_profiles (id) ON DELETE CASCADE,
    CONSTRAINT fk_stimuli_events_campaigns_campaign_id FOREIGN KEY (campaign_id) REFERENCES hcp.campaigns (id)
);
CREATE INDEX ix_stimuli_events_hcp_id_event_date ON hcp.stimuli_events (hcp_id, event_date);
CREATE INDEX ix_stimuli_events_event_date ON hcp.stimuli_events (event_date);
CREATE INDEX ix_stimuli_events_campaign_id ON hcp.stimuli_events (campaign_id);

CREATE TABLE hcp.outcome_events (
    id uuid NOT NULL,
    hcp_id uuid NOT NULL,
    stimulus_id uuid NULL,
    outcome_type character varying(50) NOT NULL,
    outcome_value double precision NULL,
    event_date timestamp with time zone NOT NULL,
    attribution_confidence double precision NULL,
    metadata jsonb NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_outcome_events PRIMARY KEY (id),
    CONSTRAINT fk_outcome_events_hcp_profiles_hcp_id FOREIGN KEY (hcp_id) REFERENCES hcp.hcp_profiles (id) ON DELETE CASCADE,
    CONSTRAINT fk_outcome_events_stimuli_events_stimulus_id FOREIGN KEY (stimulus_id) REFERENCES hcp.stimuli_events (id) ON DELETE CASCADE
);
CREATE INDEX ix_outcome_events_hcp_id_event_date ON hcp.outcome_events (hcp_id, event_date);
CREATE INDEX ix_outcome_events_stimulus_id ON hcp.outcome_events (stimulus_id);
CREATE INDEX ix_outcome_events_event_date ON hcp.outcome_events (event_date);

CREATE TABLE hcp.channel_capacity (
    id uuid NOT NULL,
    channel character varying(20) NOT NULL,
    capacity_type character varying(20) NOT NULL,
    limit_value integer NOT NULL,
    period character varying(20) NOT NULL,
    effective_date timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_channel_capacity PRIMARY KEY (id)
);
CREATE INDEX ix_channel_capacity_channel ON hcp.channel_capacity (channel);

CREATE TABLE hcp.hcp_contact_limits (
    id uuid NOT NULL,
    hcp_id uuid NOT NULL,
    channel character varying(20) NOT NULL,
    max_contacts_per_month integer NOT NULL,
    min_days_between_contacts integer NOT NULL,
    preferred_days jsonb NULL,
    blackout_dates jsonb NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_hcp_contact_limits PRIMARY KEY (id),
    CONSTRAINT fk_hcp_contact_limits_hcp_profiles_hcp_id FOREIGN KEY (hcp_id) REFERENCES hcp.hcp_profiles (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_hcp_contact_limits_hcp_id_channel ON hcp.hcp_contact_limits (hcp_id, channel);

CREATE TABLE hcp.ground_truth (
    id uuid NOT NULL,
    parameter character varying(100) NOT NULL,
    channel character varying(20) NULL,
    tier character varying(10) NULL,
    segment character varying(50) NULL,
    outcome_type character varying(50) NULL,
    period character varying(20) NULL,
    value double precision NOT NULL,
    details jsonb NULL,
    CONSTRAINT pk_ground_truth PRIMARY KEY (id)
);
CREATE INDEX ix_ground_truth_parameter ON hcp.ground_truth (parameter);

CREATE TABLE hcp.dataset_info (
    id uuid NOT NULL,
    seed bigint NOT NULL,
    hcp_count integer NOT NULL,
    months integer NOT NULL,
    scenario character varying(50) NOT NULL,
    window_start date NOT NULL,
    simulated_through date NOT NULL,
    engine_version character varying(50) NOT NULL,
    parameters jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    updated_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_dataset_info PRIMARY KEY (id)
);

CREATE TABLE platform.generation_runs (
    id uuid NOT NULL,
    kind character varying(20) NOT NULL,
    status character varying(20) NOT NULL,
    parameters jsonb NOT NULL,
    as_of date NULL,
    engine_version character varying(50) NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone NULL,
    duration_ms bigint NULL,
    counts jsonb NULL,
    checksums jsonb NULL,
    stage_durations jsonb NULL,
    verdict character varying(20) NULL,
    error text NULL,
    CONSTRAINT pk_generation_runs PRIMARY KEY (id)
);
CREATE INDEX ix_generation_runs_started_at ON platform.generation_runs (started_at);

CREATE TABLE platform.simulation_state (
    id integer NOT NULL,
    desired_mode character varying(20) NOT NULL,
    seconds_per_simulated_day double precision NULL,
    scenario character varying(50) NOT NULL,
    config jsonb NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_simulation_state PRIMARY KEY (id)
);
INSERT INTO platform.simulation_state (id, desired_mode, seconds_per_simulated_day, scenario, config, updated_at)
VALUES (1, 'stopped', NULL, 'development', '{}'::jsonb, now());

CREATE TABLE platform.validation_results (
    id uuid NOT NULL,
    generation_run_id uuid NULL,
    trigger character varying(20) NOT NULL,
    started_at timestamp with time zone NOT NULL,
    duration_ms bigint NOT NULL,
    passed boolean NOT NULL,
    checks_total integer NOT NULL,
    checks_failed integer NOT NULL,
    checks jsonb NOT NULL,
    CONSTRAINT pk_validation_results PRIMARY KEY (id)
);
CREATE INDEX ix_validation_results_started_at ON platform.validation_results (started_at);

CREATE TABLE platform.api_keys (
    id uuid NOT NULL,
    name character varying(100) NOT NULL,
    key_prefix character varying(16) NOT NULL,
    key_hash character varying(64) NOT NULL,
    scope character varying(10) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NULL,
    revoked_at timestamp with time zone NULL,
    last_used_at timestamp with time zone NULL,
    CONSTRAINT pk_api_keys PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_api_keys_key_hash ON platform.api_keys (key_hash);

CREATE TABLE platform.privacy_requests (
    id uuid NOT NULL,
    request_type character varying(20) NOT NULL,
    npi character varying(10) NOT NULL,
    hcp_id uuid NULL,
    regulation character varying(20) NOT NULL,
    status character varying(20) NOT NULL,
    requested_at timestamp with time zone NOT NULL,
    completed_at timestamp with time zone NULL,
    details jsonb NULL,
    CONSTRAINT pk_privacy_requests PRIMARY KEY (id)
);
CREATE INDEX ix_privacy_requests_npi ON platform.privacy_requests (npi);
