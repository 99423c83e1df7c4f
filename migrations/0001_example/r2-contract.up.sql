-- switchyard plan 0001_example: release 2, contract (up)
-- plan checksum sha256:5d91af7fd9be1bd098c63a57d1db6e6d495e30b922f1247c162e276e1c1ecc11
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

-- r2-contract-003 retire_old_column: in one transaction: drop the sync trigger, retire name in favour of full_name, move indexes and checks to their target names. The rollback rewrites old values of rows written since, under ACCESS EXCLUSIVE
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DROP TRIGGER zz_sy_sync_full_name ON public.users;

-- r2-contract-004 drop_sync_function: drop trigger function public._sy_sync_users_full_name
--   lock: none; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DROP FUNCTION public._sy_sync_users_full_name();

-- r2-contract-005 drop_column: drop the retired column public.users.name (the rollback re-adds it and recomputes it with `down`)
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, DELETES_DATA
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users DROP COLUMN name;

-- r2-contract-006 drop_column: drop column public.users.legacy_flag and its values (the rollback restores the definition, not the values)
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, DELETES_DATA
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users DROP COLUMN legacy_flag;
