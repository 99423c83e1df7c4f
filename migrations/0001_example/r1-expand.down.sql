-- switchyard plan 0001_example: release 1, expand (down)
-- plan checksum sha256:5d91af7fd9be1bd098c63a57d1db6e6d495e30b922f1247c162e276e1c1ecc11
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r1-expand-015 rollback: build index public.idx_employees_rut on public.employees concurrently
--   lock: SHARE UPDATE EXCLUSIVE; hazards: INDEX_BUILD; outside a transaction
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
DROP INDEX CONCURRENTLY public.idx_employees_rut;

-- r1-expand-014 rollback: add foreign key users_subscription_tier_id_fkey on public.users referencing public.subscription_tiers NOT VALID
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users DROP CONSTRAINT users_subscription_tier_id_fkey;

-- r1-expand-013 rollback: build the unique index of unique constraint users_email_key on public.users concurrently
--   lock: SHARE UPDATE EXCLUSIVE; hazards: CORRECTNESS, INDEX_BUILD; outside a transaction
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
DROP INDEX CONCURRENTLY public.users_email_key;

-- r1-expand-012 rollback: add check check_rut on public.employees NOT VALID
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, USER_SQL
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees DROP CONSTRAINT check_rut;

-- r1-expand-011 rollback: add column public.users.subscription_tier_id
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users DROP COLUMN subscription_tier_id;

-- r1-expand-010 rollback: fire zz_sy_sync_full_name for rows applied by logical replication too (ENABLE ALWAYS)
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users ENABLE TRIGGER zz_sy_sync_full_name;

-- r1-expand-009 rollback: create trigger zz_sy_sync_full_name BEFORE INSERT OR UPDATE on public.users
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DROP TRIGGER zz_sy_sync_full_name ON public.users;

-- r1-expand-008 rollback: create trigger function public._sy_sync_users_full_name to keep name and full_name in sync
--   lock: none; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DROP FUNCTION public._sy_sync_users_full_name();

-- r1-expand-007 rollback: add column public.users.full_name (text, nullable, no default yet), filled from name by a trigger and a backfill
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users DROP COLUMN full_name;

-- r1-expand-006 rollback: fire zz_sy_sync_salary for rows applied by logical replication too (ENABLE ALWAYS)
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees ENABLE TRIGGER zz_sy_sync_salary;

-- r1-expand-005 rollback: create trigger zz_sy_sync_salary BEFORE INSERT OR UPDATE on public.employees
--   lock: SHARE ROW EXCLUSIVE; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DROP TRIGGER zz_sy_sync_salary ON public.employees;

-- r1-expand-004 rollback: create trigger function public._sy_sync_employees_salary to keep salary and its new-type copy salary__new in sync
--   lock: none; hazards: USER_SQL
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DROP FUNCTION public._sy_sync_employees_salary();

-- r1-expand-003 rollback: add column public.employees.salary__new (numeric(12,2), nullable, no default yet), filled from salary by a trigger and a backfill
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees DROP COLUMN salary__new;

-- r1-expand-002 rollback: add column public.employees.middle_name
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees DROP COLUMN middle_name;

-- r1-expand-001 rollback: create table public.subscription_tiers
--   lock: none; hazards: none
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
DROP TABLE public.subscription_tiers;
