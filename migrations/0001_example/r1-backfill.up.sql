-- switchyard plan 0001_example: release 1, backfill (up)
-- plan checksum sha256:5d91af7fd9be1bd098c63a57d1db6e6d495e30b922f1247c162e276e1c1ecc11
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r1-backfill-001 backfill: fill public.employees.salary__new from salary in batches (a value that does not convert fails the batch)
--   lock: ROW EXCLUSIVE; hazards: CORRECTNESS, USER_SQL
-- runs in keyset batches under `switchyard apply`; as one statement:
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
UPDATE public.employees SET salary__new = salary::numeric(12,2) WHERE salary__new IS DISTINCT FROM (salary::numeric(12,2));

-- r1-backfill-002 backfill: fill public.users.full_name from name in batches
--   lock: ROW EXCLUSIVE; hazards: none
-- runs in keyset batches under `switchyard apply`; as one statement:
SET lock_timeout = '2000ms';
SET statement_timeout = '3600000ms';
UPDATE public.users SET full_name = name WHERE full_name IS DISTINCT FROM (name);
