-- The cross-industry universal core (seeds/004) as views over the HCP dataset. Re-created inside every dataset
-- swap (views bind to the tables they were created on), and by the migrator after migrations or when this script
-- changes (the fingerprint of the script that made them is the universal schema's comment).
CREATE SCHEMA IF NOT EXISTS universal;

DROP VIEW IF EXISTS universal.entities, universal.interventions, universal.exposures, universal.outcomes, universal.segments CASCADE;

CREATE VIEW universal.entities AS
WITH activity AS (
    SELECT hcp_id, min(event_date) AS first_at, max(event_date) AS last_at, count(*) AS exposures
    FROM hcp.stimuli_events GROUP BY hcp_id
), responses AS (
    SELECT hcp_id, count(*) AS outcomes FROM hcp.outcome_events GROUP BY hcp_id
), rx AS (
    SELECT hcp_id, sum(rx_count) AS total_rx, avg(rx_count) AS avg_rx FROM hcp.prescribing_history GROUP BY hcp_id
)
SELECT p.id AS entity_id,
       'individual'::varchar(50) AS entity_type,
       p.npi::varchar(255) AS external_id,
       p.segment::varchar(100) AS segment_id,
       ARRAY[p.tier::text, p.specialty::text] AS subsegment_ids,
       p.region::varchar(100) AS cohort_id,
       (CASE WHEN a.last_at IS NULL OR a.last_at < d.simulated_through - 60 THEN 'at_risk'
             WHEN p.segment = 'New Target' THEN 'new'
             ELSE 'active' END)::varchar(50) AS lifecycle_stage,
       (d.simulated_through - (a.first_at AT TIME ZONE 'UTC')::date) AS tenure_days,
       (a.first_at AT TIME ZONE 'UTC')::date AS first_interaction_date,
       (a.last_at AT TIME ZONE 'UTC')::date AS last_interaction_date,
       coalesce(rx.total_rx, 0)::numeric(15, 2) AS lifetime_value,
       round((p.base_conversion_rate * 100)::numeric, 2) AS current_value_score,
       round((100 - p.engagement_score)::numeric, 2) AS risk_score,
       round(p.engagement_score::numeric, 2) AS engagement_score,
       round(least(100, 100.0 * coalesce(r.outcomes, 0) / nullif(a.exposures, 0))::numeric, 2) AS responsiveness_score,
       jsonb_build_object('state', p.state, 'city', p.city, 'region', p.region, 'organization', p.organization, 'credential', p.credential) AS demographics,
       jsonb_build_object('preferred_channel', p.preferred_channel, 'preferred_content', p.preferred_content, 'channel_affinities', p.channel_affinities) AS preferences,
       jsonb_build_object('industry', 'healthcare', 'npi', p.npi, 'specialty', p.specialty, 'taxonomy_code', p.taxonomy_code, 'tier', p.tier,
                          'avg_monthly_rx', round(coalesce(rx.avg_rx, 0), 2), 'channel_engagements', p.channel_engagements) AS attributes,
       p.created_at,
       p.created_at AS updated_at,
       true AS is_active,
       1.00::numeric(3, 2) AS data_quality_score
FROM hcp.hcp_profiles p
CROSS JOIN hcp.dataset_info d
LEFT JOIN activity a ON a.hcp_id = p.id
LEFT JOIN responses r ON r.hcp_id = p.id
LEFT JOIN rx ON rx.hcp_id = p.id;

CREATE VIEW universal.interventions AS
SELECT c.id AS intervention_id,
       c.name::varchar(255) AS name,
       'campaign'::varchar(50) AS type,
       c.campaign_type::varchar(100) AS category,
       ARRAY(SELECT jsonb_array_elements_text(c.channels)) AS channels,
       (c.channels ->> 0)::varchar(50) AS primary_channel,
       ARRAY(SELECT jsonb_array_elements_text(coalesce(c.target_segments, '[]'::jsonb))) AS target_segments,
       c.start_date,
       c.end_date,
       'scheduled'::varchar(50) AS schedule_type,
       c.budget::numeric(12, 2) AS budget,
       c.description AS content_template,
       jsonb_build_object('industry', 'healthcare') AS metadata,
       c.status::varchar(50) AS status,
       c.created_at
FROM hcp.campaigns c
UNION ALL
-- The platform's interventions (platform.interventions, issue 22): tests, policies, campaigns and triggers users define.
SELECT i.id,
       i.name::varchar(255),
       i.type::varchar(50),
       (i.definition ->> 'contentCategory')::varchar(100),
       ARRAY(SELECT jsonb_array_elements_text(i.definition -> 'channels')),
       (i.definition -> 'channels' ->> 0)::varchar(50),
       ARRAY(SELECT jsonb_array_elements_text(coalesce(i.definition -> 'target' -> 'segments', '[]'::jsonb))),
       (i.start_date::timestamp AT TIME ZONE 'UTC'),
       (i.end_date::timestamp AT TIME ZONE 'UTC'),
       (CASE i.schedule WHEN 'planned' THEN 'scheduled' WHEN 'rule' THEN CASE i.type WHEN 'trigger' THEN 'triggered' ELSE 'recurring' END END)::varchar(50),
       NULL::numeric(12, 2),
       NULL::text,
       jsonb_build_object('industry', 'healthcare', 'source', 'platform', 'definition', i.definition),
       (CASE WHEN i.status = 'stopped' THEN 'completed'
             WHEN i.end_date < d.simulated_through THEN 'completed'
             WHEN i.start_date <= d.simulated_through THEN 'active'
             ELSE 'approved' END)::varchar(50),
       i.created_at
FROM platform.interventions i
LEFT JOIN hcp.dataset_info d ON true;

CREATE VIEW universal.exposures AS
SELECT s.id AS exposure_id,
       s.hcp_id AS entity_id,
       coalesce(s.intervention_id, s.campaign_id) AS intervention_id,
       s.channel::varchar(50) AS channel,
       s.event_date AS "timestamp",
       s.content_category::varchar(100) AS creative_variant,
       s.delivery_status::varchar(50) AS delivery_status,
       s.metadata AS delivery_metadata,
       (row_number() OVER w)::int AS exposure_number,
       (extract(day FROM s.event_date - lag(s.event_date) OVER w))::int AS days_since_last_exposure,
       (row_number() OVER w - 1)::int AS total_previous_exposures,
       jsonb_build_object('stimulus_type', s.stimulus_type, 'rep_id', s.rep_id) AS context
FROM hcp.stimuli_events s
WINDOW w AS (PARTITION BY s.hcp_id ORDER BY s.event_date, s.id);

CREATE VIEW universal.outcomes AS
SELECT o.id AS outcome_id,
       o.hcp_id AS entity_id,
       o.stimulus_id AS exposure_id,
       o.outcome_type::varchar(100) AS outcome_type,
       o.event_date AS outcome_timestamp,
       o.outcome_value::numeric(15, 2) AS outcome_value,
       1 AS outcome_count,
       'last_touch'::varchar(50) AS attribution_model,
       o.attribution_confidence::numeric(3, 2) AS attribution_weight,
       o.metadata
FROM hcp.outcome_events o;

-- One row per segment and month: the segment's size and behaviour as of that month (004 "Segment Evolution").
CREATE VIEW universal.segments AS
WITH months AS (
    SELECT DISTINCT date_trunc('month', event_date) AS month FROM hcp.stimuli_events
), touches AS (
    SELECT p.segment, date_trunc('month', s.event_date) AS month, count(*) AS stimuli
    FROM hcp.stimuli_events s JOIN hcp.hcp_profiles p ON p.id = s.hcp_id GROUP BY 1, 2
), answers AS (
    SELECT p.segment, date_trunc('month', s.event_date) AS month, count(*) AS outcomes
    FROM hcp.outcome_events o JOIN hcp.stimuli_events s ON s.id = o.stimulus_id JOIN hcp.hcp_profiles p ON p.id = o.hcp_id GROUP BY 1, 2
), rx AS (
    SELECT p.segment, r.month, avg(r.rx_count) AS avg_rx, avg(r.market_share) AS avg_share
    FROM hcp.prescribing_history r JOIN hcp.hcp_profiles p ON p.id = r.hcp_id GROUP BY 1, 2
), sizes AS (
    SELECT segment, count(*) AS size FROM hcp.hcp_profiles GROUP BY segment
)
SELECT z.segment::varchar(100) AS segment_id,
       z.segment::varchar(255) AS name,
       'rule_based'::varchar(50) AS definition_type,
       jsonb_build_object('hcp_profiles.segment', z.segment) AS definition_rules,
       z.size::int AS current_size,
       round(coalesce(rx.avg_rx, 0), 2)::numeric(12, 2) AS avg_lifetime_value,
       round(coalesce(a.outcomes, 0)::numeric / nullif(t.stimuli, 0), 4)::numeric(5, 4) AS avg_response_rate,
       round(coalesce(rx.avg_share, 0)::numeric, 4)::numeric(5, 4) AS avg_conversion_rate,
       jsonb_build_object('industry', 'healthcare', 'stimuli', coalesce(t.stimuli, 0), 'outcomes', coalesce(a.outcomes, 0)) AS industry_metrics,
       m.month AS created_at,
       m.month AS updated_at,
       true AS is_active
FROM sizes z
CROSS JOIN months m
LEFT JOIN touches t ON t.segment = z.segment AND t.month = m.month
LEFT JOIN answers a ON a.segment = z.segment AND a.month = m.month
LEFT JOIN rx ON rx.segment = z.segment AND rx.month = m.month;
