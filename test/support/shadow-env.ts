// Integration tests canonicalize on the suite's own server (a scratch database made and dropped there), as a
// user would name one with `--shadow-db`, instead of starting a throwaway server for every diff and plan. The
// tests of the throwaway default clear this variable for themselves.
import { inject } from 'vitest';

process.env.SWITCHYARD_SHADOW_DB ??= inject('pgAdminUrl');
