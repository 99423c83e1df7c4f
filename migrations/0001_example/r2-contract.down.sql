-- switchyard plan 0001_example: release 2, contract (down)
-- plan checksum sha256:5d91af7fd9be1bd098c63a57d1db6e6d495e30b922f1247c162e276e1c1ecc11
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r2-contract-006 rollback: drop column public.users.legacy_flag and its values (the rollback restores the definition, not the values)
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, DELETES_DATA
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users ADD COLUMN legacy_flag boolean;

-- r2-contract-005 rollback: drop the retired column public.users.name (the rollback re-adds it and recomputes it with `down`)
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, DELETES_DATA
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users ADD COLUMN name text;
UPDATE public.users SET name = full_name;

-- r2-contract-004 rollback: drop trigger function public._sy_sync_users_full_name
--   lock: none; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
CREATE FUNCTION public._sy_sync_users_full_name() RETURNS trigger LANGUAGE plpgsql AS $sy$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.full_name IS NULL THEN
      NEW.full_name := NEW.name;
    ELSIF NEW.full_name IS DISTINCT FROM NEW.name THEN
      NEW.name := NEW.full_name;
    END IF;
  ELSIF NEW.name IS DISTINCT FROM OLD.name AND NEW.full_name IS NOT DISTINCT FROM OLD.full_name THEN
    NEW.full_name := NEW.name;
  ELSIF NEW.full_name IS DISTINCT FROM OLD.full_name AND NEW.name IS NOT DISTINCT FROM OLD.name AND NEW.full_name IS DISTINCT FROM NEW.name THEN
    NEW.name := NEW.full_name;
  ELSIF NEW.full_name IS NULL THEN
    NEW.full_name := NEW.name;
  END IF;
  RETURN NEW;
END
$sy$;

-- r2-contract-003 rollback: in one transaction: drop the sync trigger, retire name in favour of full_name, move indexes and checks to their target names. The rollback rewrites old values of rows written since, under ACCESS EXCLUSIVE
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DO $sy$
BEGIN
  LOCK TABLE public.users IN ACCESS EXCLUSIVE MODE;
  UPDATE public.users SET name = full_name WHERE full_name IS DISTINCT FROM (name);
  CREATE TRIGGER zz_sy_sync_full_name BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public._sy_sync_users_full_name();
  ALTER TABLE public.users ENABLE ALWAYS TRIGGER zz_sy_sync_full_name;
END
$sy$;

-- r2-contract-002 rollback: drop trigger function public._sy_sync_employees_salary
--   lock: none; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
CREATE FUNCTION public._sy_sync_employees_salary() RETURNS trigger LANGUAGE plpgsql AS $sy$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.salary__new IS NULL THEN
      NEW.salary__new := (SELECT (salary::numeric(12,2)) FROM (SELECT NEW.*) AS _sy_row);
    ELSIF NEW.salary__new IS DISTINCT FROM (SELECT (salary::numeric(12,2)) FROM (SELECT NEW.*) AS _sy_row) THEN
      NEW.salary := (SELECT (salary__new::text) FROM (SELECT NEW.*) AS _sy_row);
    END IF;
  ELSIF NEW.salary IS DISTINCT FROM OLD.salary AND NEW.salary__new IS NOT DISTINCT FROM OLD.salary__new THEN
    NEW.salary__new := (SELECT (salary::numeric(12,2)) FROM (SELECT NEW.*) AS _sy_row);
  ELSIF NEW.salary__new IS DISTINCT FROM OLD.salary__new AND NEW.salary IS NOT DISTINCT FROM OLD.salary AND NEW.salary__new IS DISTINCT FROM (SELECT (salary::numeric(12,2)) FROM (SELECT NEW.*) AS _sy_row) THEN
    NEW.salary := (SELECT (salary__new::text) FROM (SELECT NEW.*) AS _sy_row);
  ELSIF NEW.salary__new IS NULL THEN
    NEW.salary__new := (SELECT (salary::numeric(12,2)) FROM (SELECT NEW.*) AS _sy_row);
  END IF;
  RETURN NEW;
END
$sy$;

-- r2-contract-001 rollback: in one transaction: drop the sync trigger, swap salary (renamed salary__old) and salary__new (renamed salary), move indexes and checks to their target names; the running application sees salary change type from text to numeric(12,2). The rollback rewrites old values of rows written since, under ACCESS EXCLUSIVE
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, BREAKS_OLD_APP
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DO $sy$
BEGIN
  LOCK TABLE public.employees IN ACCESS EXCLUSIVE MODE;
  UPDATE public.employees SET salary__old = salary::text WHERE salary IS DISTINCT FROM (salary__old::numeric(12,2));
  ALTER TABLE public.employees RENAME COLUMN salary TO salary__new;
  ALTER TABLE public.employees RENAME COLUMN salary__old TO salary;
  CREATE TRIGGER zz_sy_sync_salary BEFORE INSERT OR UPDATE ON public.employees FOR EACH ROW EXECUTE FUNCTION public._sy_sync_employees_salary();
  ALTER TABLE public.employees ENABLE ALWAYS TRIGGER zz_sy_sync_salary;
END
$sy$;
