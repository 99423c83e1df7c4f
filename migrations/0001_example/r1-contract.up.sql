-- switchyard plan 0001_example: release 1, contract (up)
-- plan checksum sha256:5d91af7fd9be1bd098c63a57d1db6e6d495e30b922f1247c162e276e1c1ecc11
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r1-contract-001 validate_check: validate check check_rut on public.employees
--   lock: SHARE UPDATE EXCLUSIVE; hazards: CORRECTNESS, FULL_SCAN, USER_SQL
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
ALTER TABLE public.employees VALIDATE CONSTRAINT check_rut;

-- r1-contract-002 add_constraint_using_index: make index users_email_key the unique constraint users_email_key on public.users
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;

-- r1-contract-003 validate_foreign_key: validate foreign key users_subscription_tier_id_fkey on public.users referencing public.subscription_tiers
--   lock: SHARE UPDATE EXCLUSIVE; hazards: CORRECTNESS, FULL_SCAN
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
ALTER TABLE public.users VALIDATE CONSTRAINT users_subscription_tier_id_fkey;
