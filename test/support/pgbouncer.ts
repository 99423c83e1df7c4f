// A real PgBouncer for integration tests: the same local launcher the demo uses.
export { ADMIN_USER, startPgBouncer, type PgBouncer, type PgBouncerOptions } from '../../src/pair/local-pgbouncer.js';
