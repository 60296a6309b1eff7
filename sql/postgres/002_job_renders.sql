-- 002_job_renders: how many times a job's render was begun (SQLite's 007_job_renders).
ALTER TABLE jobs ADD COLUMN renders BIGINT NOT NULL DEFAULT 0;
