// The fan-out moved below the phase runner (executor/fanout.ts), which runs tenants as N units through it.
export * from '../executor/fanout.js';
