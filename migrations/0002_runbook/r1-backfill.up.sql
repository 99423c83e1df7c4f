-- switchyard plan 0002_runbook: release 1, backfill (up)
-- plan checksum sha256:57778918293ee44204f052e43affa0f0837012b9ca0f9fec73e09f4ce75a1e43
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r1-backfill-001 backfill: fill public.employees.salary__new from salary in batches (a value that does not convert fails the batch)
--   lock: ROW EXCLUSIVE; hazards: CORRECTNESS, USER_SQL
-- runs in keyset batches under `switchyard apply`; as one statement:
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
UPDATE public.employees SET salary__new = salary::numeric(12,2) WHERE salary__new IS DISTINCT FROM (salary::numeric(12,2));
