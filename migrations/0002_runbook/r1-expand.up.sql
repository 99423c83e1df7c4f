-- switchyard plan 0002_runbook: release 1, expand (up)
-- plan checksum sha256:57778918293ee44204f052e43affa0f0837012b9ca0f9fec73e09f4ce75a1e43
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r1-expand-001 add_column: add column public.employees.middle_name
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ADD COLUMN middle_name character varying(100);

-- r1-expand-002 add_shadow_column: add column public.employees.salary__new (numeric(12,2), nullable, no default yet), filled from salary by a trigger and a backfill
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ADD COLUMN salary__new numeric(12,2);

-- r1-expand-003 create_sync_function: create trigger function public._sy_sync_employees_salary to keep salary and its new-type copy salary__new in sync
--   lock: none; hazards: USER_SQL
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

-- r1-expand-004 create_sync_trigger: create trigger zz_sy_sync_salary BEFORE INSERT OR UPDATE on public.employees
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
CREATE TRIGGER zz_sy_sync_salary BEFORE INSERT OR UPDATE ON public.employees FOR EACH ROW EXECUTE FUNCTION public._sy_sync_employees_salary();

-- r1-expand-005 enable_always_sync_trigger: fire zz_sy_sync_salary for rows applied by logical replication too (ENABLE ALWAYS)
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ENABLE ALWAYS TRIGGER zz_sy_sync_salary;

-- r1-expand-006 add_not_null_not_valid: add check (IS NOT NULL) employees_salary__new_not_null NOT VALID on public.employees.salary__new: new rows are checked, existing rows are not scanned
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ADD CONSTRAINT employees_salary__new_not_null CHECK (salary__new IS NOT NULL) NOT VALID;

-- r1-expand-007 add_check_not_valid: add check check_rut on public.employees NOT VALID
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, USER_SQL
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ADD CONSTRAINT check_rut CHECK ((rut ~ '^[0-9]+-[0-9Kk]$'::text)) NOT VALID;

-- r1-expand-008 create_index_concurrently: build index public.idx_employees_email on public.employees concurrently
--   lock: SHARE UPDATE EXCLUSIVE; hazards: INDEX_BUILD; outside a transaction
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
CREATE INDEX CONCURRENTLY idx_employees_email ON public.employees USING btree (email);
