-- switchyard plan 0001_example: release 1, contract (down)
-- plan checksum sha256:5d91af7fd9be1bd098c63a57d1db6e6d495e30b922f1247c162e276e1c1ecc11
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r1-contract-003 rollback: validate foreign key users_subscription_tier_id_fkey on public.users referencing public.subscription_tiers
--   lock: SHARE UPDATE EXCLUSIVE; hazards: CORRECTNESS, FULL_SCAN
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
ALTER TABLE public.users DROP CONSTRAINT users_subscription_tier_id_fkey;
ALTER TABLE public.users ADD CONSTRAINT users_subscription_tier_id_fkey FOREIGN KEY (subscription_tier_id) REFERENCES public.subscription_tiers (id) NOT VALID;

-- r1-contract-002 rollback: make index users_email_key the unique constraint users_email_key on public.users
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users DROP CONSTRAINT users_email_key;
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users USING btree (email);

-- r1-contract-001 rollback: validate check check_rut on public.employees
--   lock: SHARE UPDATE EXCLUSIVE; hazards: CORRECTNESS, FULL_SCAN, USER_SQL
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
ALTER TABLE public.employees DROP CONSTRAINT check_rut;
ALTER TABLE public.employees ADD CONSTRAINT check_rut CHECK ((rut ~ '^[0-9]+-[0-9Kk]$'::text)) NOT VALID;
