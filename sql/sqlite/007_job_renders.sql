-- 007_job_renders: how many times a job's render was begun. A render that never
-- finishes (its worker ran out of worker_cpu_seconds or worker_memory_mb, or crashed)
-- leaves the job running without a result until its lease ends; after a few such
-- tries the job is answered as failed instead of being rendered again forever.
ALTER TABLE jobs ADD COLUMN renders INTEGER NOT NULL DEFAULT 0;
