-- switchyard plan 0001_example: release 1, expand (up)
-- plan checksum sha256:5d91af7fd9be1bd098c63a57d1db6e6d495e30b922f1247c162e276e1c1ecc11
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r1-expand-001 create_table: create table public.subscription_tiers
--   lock: none; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
CREATE TABLE public.subscription_tiers (
  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
  name text NOT NULL,
  CONSTRAINT subscription_tiers_pkey PRIMARY KEY (id),
  CONSTRAINT subscription_tiers_name_key UNIQUE (name)
);

-- r1-expand-002 add_column: add column public.employees.middle_name
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ADD COLUMN middle_name character varying(100);

-- r1-expand-003 add_shadow_column: add column public.employees.salary__new (numeric(12,2), nullable, no default yet), filled from salary by a trigger and a backfill
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ADD COLUMN salary__new numeric(12,2);

-- r1-expand-004 create_sync_function: create trigger function public._sy_sync_employees_salary to keep salary and its new-type copy salary__new in sync
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

-- r1-expand-005 create_sync_trigger: create trigger zz_sy_sync_salary BEFORE INSERT OR UPDATE on public.employees
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
CREATE TRIGGER zz_sy_sync_salary BEFORE INSERT OR UPDATE ON public.employees FOR EACH ROW EXECUTE FUNCTION public._sy_sync_employees_salary();

-- r1-expand-006 enable_always_sync_trigger: fire zz_sy_sync_salary for rows applied by logical replication too (ENABLE ALWAYS)
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ENABLE ALWAYS TRIGGER zz_sy_sync_salary;

-- r1-expand-007 add_shadow_column: add column public.users.full_name (text, nullable, no default yet), filled from name by a trigger and a backfill
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users ADD COLUMN full_name text;

-- r1-expand-008 create_sync_function: create trigger function public._sy_sync_users_full_name to keep name and full_name in sync
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

-- r1-expand-009 create_sync_trigger: create trigger zz_sy_sync_full_name BEFORE INSERT OR UPDATE on public.users
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
CREATE TRIGGER zz_sy_sync_full_name BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public._sy_sync_users_full_name();

-- r1-expand-010 enable_always_sync_trigger: fire zz_sy_sync_full_name for rows applied by logical replication too (ENABLE ALWAYS)
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users ENABLE ALWAYS TRIGGER zz_sy_sync_full_name;

-- r1-expand-011 add_column: add column public.users.subscription_tier_id
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users ADD COLUMN subscription_tier_id bigint;

-- r1-expand-012 add_check_not_valid: add check check_rut on public.employees NOT VALID
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, USER_SQL
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ADD CONSTRAINT check_rut CHECK ((rut ~ '^[0-9]+-[0-9Kk]$'::text)) NOT VALID;

-- r1-expand-013 create_unique_index_concurrently: build the unique index of unique constraint users_email_key on public.users concurrently
--   lock: SHARE UPDATE EXCLUSIVE; hazards: CORRECTNESS, INDEX_BUILD; outside a transaction
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users USING btree (email);

-- r1-expand-014 add_foreign_key_not_valid: add foreign key users_subscription_tier_id_fkey on public.users referencing public.subscription_tiers NOT VALID
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users ADD CONSTRAINT users_subscription_tier_id_fkey FOREIGN KEY (subscription_tier_id) REFERENCES public.subscription_tiers (id) NOT VALID;

-- r1-expand-015 create_index_concurrently: build index public.idx_employees_rut on public.employees concurrently
--   lock: SHARE UPDATE EXCLUSIVE; hazards: INDEX_BUILD; outside a transaction
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
CREATE INDEX CONCURRENTLY idx_employees_rut ON public.employees USING btree (rut);
