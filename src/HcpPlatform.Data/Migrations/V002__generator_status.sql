-- Observed state of continuous generation (issue 6). The admin API owns the desired columns of
-- platform.simulation_state (desired_mode, seconds_per_simulated_day, scenario, config, updated_at) and
-- NOTIFYs channel hcp_simulation_state after writing them; the generator worker writes only these columns:
--   observed_mode                       mode the worker has applied: running | pausing | paused | stopping | stopped
--   observed_seconds_per_simulated_day  speed it applies (null: nightly schedule)
--   worker_id                           the worker that wrote the last heartbeat (host/pid)
--   heartbeat_at                        last heartbeat (about every second while a worker runs)
--   current_simulated_day               the dataset's watermark (hcp.dataset_info.simulated_through) as last seen
--   last_increment_day/_at/_rows/_seconds   the last day this platform's workers appended
--   last_error, last_error_at           the last failure (cleared by the next successful increment)
ALTER TABLE platform.simulation_state
    ADD COLUMN observed_mode character varying(20) NULL,
    ADD COLUMN observed_seconds_per_simulated_day double precision NULL,
    ADD COLUMN worker_id character varying(100) NULL,
    ADD COLUMN heartbeat_at timestamp with time zone NULL,
    ADD COLUMN current_simulated_day date NULL,
    ADD COLUMN last_increment_day date NULL,
    ADD COLUMN last_increment_at timestamp with time zone NULL,
    ADD COLUMN last_increment_rows bigint NULL,
    ADD COLUMN last_increment_seconds double precision NULL,
    ADD COLUMN last_error text NULL,
    ADD COLUMN last_error_at timestamp with time zone NULL;
