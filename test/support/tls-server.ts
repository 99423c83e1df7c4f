// A throwaway PostgreSQL with `ssl = on` and a self-signed certificate for `localhost`, made with openssl for
// the test, plus an unrelated certificate to play a wrong root CA. The server runs as the postgres OS user
// when we are root, so the key is handed to that user with mode 0600 (the server refuses a looser key).
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startEmbedded, type EmbeddedServer } from '../../src/rehearsal/embedded.js';

export interface TlsServer {
  readonly server: EmbeddedServer;
  /** The server's certificate: also the root that verifies it (self-signed). */
  readonly cert: string;
  /** A certificate that did not sign the server's. */
  readonly wrongCa: string;
  readonly port: number;
  readonly password: string;
  stop(): Promise<void>;
}

function selfSigned(dir: string, name: string, cn: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=DNS:${cn}`,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

export async function startTlsServer(): Promise<TlsServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-tls-'));
  await chmod(dir, 0o755);
  const { cert, key } = selfSigned(dir, 'server', 'localhost');
  const wrongCa = selfSigned(dir, 'other', 'localhost').cert;
  await chmod(cert, 0o644);
  await chmod(key, 0o600);
  if (userInfo().uid === 0) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    await chown(key, id('-u'), id('-g'));
  }
  const server = await startEmbedded({ settings: { ssl: 'on', ssl_cert_file: cert, ssl_key_file: key } });
  const password = decodeURIComponent(new URL(server.url()).password);
  return {
    server,
    cert,
    wrongCa,
    port: server.port,
    password,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
