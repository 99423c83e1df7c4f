// pgpass (node-postgres' reader of ~/.pgpass and PGPASSFILE) ships no types.
declare module 'pgpass' {
  interface PgPassConnection {
    host?: string | undefined;
    port?: number | undefined;
    database?: string | undefined;
    user?: string | undefined;
  }
  /** Calls back with the password of the first matching line, or undefined (no file, no match, not 0600). */
  function pgpass(connection: PgPassConnection, callback: (password: string | undefined) => void): void;
  export default pgpass;
}
