-- Liveness of the processes that work jobs. Each one, while it lives, holds
-- a session advisory lock on lock_key on a connection of its own;
-- PostgreSQL releases the lock the instant that connection dies, so a lease
-- whose lock nobody holds belongs to a dead process, and the jobs it was
-- running (river_job rows in state 'running' whose last attempted_by is
-- client_id) go back to the queue within seconds instead of waiting for
-- River's rescuer. A process that stops cleanly deletes its row; the row of
-- a dead one is deleted when its jobs are returned.
CREATE TABLE worker_leases (
    -- The River client's id (river.Config.ID), unique per process
    -- incarnation: what River appends to river_job.attempted_by.
    client_id  text PRIMARY KEY,
    -- The advisory lock's key, derived from client_id (store.LeaseKey).
    lock_key   bigint NOT NULL UNIQUE,
    -- For people reading the table: where the process runs.
    hostname   text NOT NULL,
    pid        integer NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now()
);
