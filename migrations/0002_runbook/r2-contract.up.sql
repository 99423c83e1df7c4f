-- switchyard plan 0002_runbook: release 2, contract (up)
-- plan checksum sha256:57778918293ee44204f052e43affa0f0837012b9ca0f9fec73e09f4ce75a1e43
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r2-contract-001 swap_columns: in one transaction: drop the sync trigger, swap salary (renamed salary__old) and salary__new (renamed salary), move indexes and checks to their target names; the running application sees salary change type from text to numeric(12,2). The rollback rewrites old values of rows written since, under ACCESS EXCLUSIVE
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, BREAKS_OLD_APP
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DO $sy$
BEGIN
  DROP TRIGGER zz_sy_sync_salary ON public.employees;
  ALTER TABLE public.employees RENAME COLUMN salary TO salary__old;
  ALTER TABLE public.employees RENAME COLUMN salary__new TO salary;
END
$sy$;

-- r2-contract-002 drop_sync_function: drop trigger function public._sy_sync_employees_salary
--   lock: none; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DROP FUNCTION public._sy_sync_employees_salary();
