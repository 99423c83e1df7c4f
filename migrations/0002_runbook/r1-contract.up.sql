-- switchyard plan 0002_runbook: release 1, contract (up)
-- plan checksum sha256:57778918293ee44204f052e43affa0f0837012b9ca0f9fec73e09f4ce75a1e43
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r1-contract-001 validate_not_null: validate employees_salary__new_not_null: scans public.employees.salary__new for NULLs without blocking reads or writes (fails if one is left)
--   lock: SHARE UPDATE EXCLUSIVE; hazards: CORRECTNESS, FULL_SCAN
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
ALTER TABLE public.employees VALIDATE CONSTRAINT employees_salary__new_not_null;

-- r1-contract-002 set_not_null: set public.employees.salary__new NOT NULL: the valid check employees_salary__new_not_null spares the scan (brief ACCESS EXCLUSIVE)
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ALTER COLUMN salary__new SET NOT NULL;

-- r1-contract-003 drop_not_null_check: drop the check employees_salary__new_not_null, now redundant with the column's NOT NULL
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees DROP CONSTRAINT employees_salary__new_not_null;

-- r1-contract-004 validate_check: validate check check_rut on public.employees
--   lock: SHARE UPDATE EXCLUSIVE; hazards: CORRECTNESS, FULL_SCAN, USER_SQL
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
ALTER TABLE public.employees VALIDATE CONSTRAINT check_rut;
