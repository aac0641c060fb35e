-- Interventions (seeds/004) and the next-best-action closed loop.
-- Platform tables (inputs, they survive regeneration): the interventions users define and the touches external systems
-- plan. Dataset tables (rebuilt with the dataset): which HCPs each intervention treats, what became of each planned touch,
-- the exact potential outcomes per targeted HCP (truth, kept apart from the observed tables) and 004-shaped uplift_models
-- rows (the oracle's and those scored against it). Stimuli name the intervention that caused them.

CREATE TABLE platform.interventions (
    id uuid NOT NULL,
    name character varying(100) NOT NULL,
    type character varying(20) NOT NULL,
    schedule character varying(20) NOT NULL,
    status character varying(20) NOT NULL,
    definition jsonb NOT NULL,
    start_date date NOT NULL,
    end_date date NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    created_by character varying(100) NULL,
    stopped_at timestamp with time zone NULL,
    CONSTRAINT pk_interventions PRIMARY KEY (id)
);
CREATE INDEX ix_interventions_start_date ON platform.interventions (start_date);

CREATE TABLE platform.planned_touches (
    id uuid NOT NULL,
    intervention_id uuid NOT NULL,
    hcp_id uuid NOT NULL,
    channel character varying(20) NOT NULL,
    day date NOT NULL,
    content_category character varying(50) NULL,
    product character varying(40) NULL,
    external_ref character varying(100) NULL,
    submitted_at timestamp with time zone NOT NULL DEFAULT now(),
    submitted_by character varying(100) NULL,
    CONSTRAINT pk_planned_touches PRIMARY KEY (id),
    CONSTRAINT fk_planned_touches_interventions_intervention_id FOREIGN KEY (intervention_id) REFERENCES platform.interventions (id) ON DELETE CASCADE
);
CREATE INDEX ix_planned_touches_day ON platform.planned_touches (day);
CREATE INDEX ix_planned_touches_intervention_id ON platform.planned_touches (intervention_id);
CREATE INDEX ix_planned_touches_hcp_id_day ON platform.planned_touches (hcp_id, day);

ALTER TABLE hcp.stimuli_events ADD COLUMN intervention_id uuid NULL;
CREATE INDEX ix_stimuli_events_intervention_id ON hcp.stimuli_events (intervention_id) WHERE intervention_id IS NOT NULL;

CREATE TABLE hcp.intervention_assignments (
    intervention_id uuid NOT NULL,
    hcp_id uuid NOT NULL,
    arm character varying(10) NOT NULL,
    CONSTRAINT pk_intervention_assignments PRIMARY KEY (intervention_id, hcp_id),
    CONSTRAINT fk_intervention_assignments_hcp_profiles_hcp_id FOREIGN KEY (hcp_id) REFERENCES hcp.hcp_profiles (id) ON DELETE CASCADE
);
CREATE INDEX ix_intervention_assignments_hcp_id ON hcp.intervention_assignments (hcp_id);

CREATE TABLE hcp.intervention_truth (
    intervention_id uuid NOT NULL,
    hcp_id uuid NOT NULL,
    arm character varying(10) NOT NULL,
    outcome character varying(40) NOT NULL,
    month date NOT NULL,
    y_treated double precision NOT NULL,
    y_control double precision NOT NULL,
    CONSTRAINT pk_intervention_truth PRIMARY KEY (intervention_id, hcp_id, outcome, month),
    CONSTRAINT fk_intervention_truth_hcp_profiles_hcp_id FOREIGN KEY (hcp_id) REFERENCES hcp.hcp_profiles (id) ON DELETE CASCADE
);
CREATE INDEX ix_intervention_truth_hcp_id ON hcp.intervention_truth (hcp_id);

CREATE TABLE hcp.planned_touch_results (
    planned_touch_id uuid NOT NULL,
    intervention_id uuid NOT NULL,
    hcp_id uuid NOT NULL,
    day date NOT NULL,
    status character varying(10) NOT NULL,
    reason character varying(30) NULL,
    stimulus_id uuid NULL,
    CONSTRAINT pk_planned_touch_results PRIMARY KEY (planned_touch_id),
    CONSTRAINT fk_planned_touch_results_hcp_profiles_hcp_id FOREIGN KEY (hcp_id) REFERENCES hcp.hcp_profiles (id) ON DELETE CASCADE
);
CREATE INDEX ix_planned_touch_results_intervention_id ON hcp.planned_touch_results (intervention_id);
CREATE INDEX ix_planned_touch_results_hcp_id ON hcp.planned_touch_results (hcp_id);

CREATE TABLE hcp.uplift_models (
    model_id uuid NOT NULL,
    intervention_id uuid NOT NULL,
    outcome character varying(40) NOT NULL,
    model_type character varying(50) NOT NULL,
    training_date timestamp with time zone NOT NULL,
    training_data_start date NOT NULL,
    training_data_end date NOT NULL,
    sample_size integer NOT NULL,
    ate double precision NOT NULL,
    att double precision NULL,
    validation_score double precision NULL,
    model_path text NULL,
    feature_importance jsonb NULL,
    hyperparameters jsonb NULL,
    metrics jsonb NULL,
    is_active boolean NOT NULL DEFAULT false,
    deployed_date timestamp with time zone NULL,
    CONSTRAINT pk_uplift_models PRIMARY KEY (model_id)
);
CREATE INDEX ix_uplift_models_intervention_id ON hcp.uplift_models (intervention_id);
