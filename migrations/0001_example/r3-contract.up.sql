-- switchyard plan 0001_example: release 3, contract (up)
-- plan checksum sha256:5d91af7fd9be1bd098c63a57d1db6e6d495e30b922f1247c162e276e1c1ecc11
-- Generated from the plan file; do not edit. Statements marked "outside a transaction" must not be wrapped
-- in BEGIN/COMMIT. Each statement carries its own lock_timeout and statement_timeout.
-- r3-contract-001 drop_column: drop the retired column public.employees.salary__old (the rollback re-adds it and recomputes it with `down`)
--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, DELETES_DATA
SET lock_timeout = '2000ms';
SET statement_timeout = '30000ms';
ALTER TABLE public.employees DROP COLUMN salary__old;
