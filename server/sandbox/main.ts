import { startSandbox } from './index';

/** `npm run sandbox`: the Procore simulator alone (SANDBOX_PORT, default 4000; PUBLIC_URL frames the app). */
async function main(): Promise<void> {
  const port = Number(process.env.SANDBOX_PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`SANDBOX_PORT: "${process.env.SANDBOX_PORT}" is not a port`);
    process.exit(1);
  }
  const appUrl = (process.env.PUBLIC_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const sandbox = await startSandbox({ port, appUrl, logLevel: process.env.LOG_LEVEL ?? 'warn' });
  console.log(`\n  Procore sandbox listening on ${sandbox.url}/ (framing ${appUrl})\n`);
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
