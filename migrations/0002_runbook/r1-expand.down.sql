-- switchyard plan 0002_runbook: release 1, expand (down)
-- plan checksum sha256:57778918293ee44204f052e43affa0f0837012b9ca0f9fec73e09f4ce75a1e43
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r1-expand-008 rollback: build index public.idx_employees_email on public.employees concurrently
--   lock: SHARE UPDATE EXCLUSIVE; hazards: INDEX_BUILD; outside a transaction
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
DROP INDEX CONCURRENTLY public.idx_employees_email;

-- r1-expand-007 rollback: add check check_rut on public.employees NOT VALID
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, USER_SQL
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees DROP CONSTRAINT check_rut;

-- r1-expand-006 rollback: add check (IS NOT NULL) employees_salary__new_not_null NOT VALID on public.employees.salary__new: new rows are checked, existing rows are not scanned
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees DROP CONSTRAINT employees_salary__new_not_null;

-- r1-expand-005 rollback: fire zz_sy_sync_salary for rows applied by logical replication too (ENABLE ALWAYS)
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ENABLE TRIGGER zz_sy_sync_salary;

-- r1-expand-004 rollback: create trigger zz_sy_sync_salary BEFORE INSERT OR UPDATE on public.employees
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DROP TRIGGER zz_sy_sync_salary ON public.employees;

-- r1-expand-003 rollback: create trigger function public._sy_sync_employees_salary to keep salary and its new-type copy salary__new in sync
--   lock: none; hazards: USER_SQL
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DROP FUNCTION public._sy_sync_employees_salary();

-- r1-expand-002 rollback: add column public.employees.salary__new (numeric(12,2), nullable, no default yet), filled from salary by a trigger and a backfill
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees DROP COLUMN salary__new;

-- r1-expand-001 rollback: add column public.employees.middle_name
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees DROP COLUMN middle_name;
