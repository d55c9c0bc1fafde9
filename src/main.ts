import 'reflect-metadata';
import { createApp } from './app.factory';
import { describeRejection, logUnhandledRejections } from './common/process-safety';
import { ConfigError, loadAppConfig } from './config/app-config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadAppConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  logUnhandledRejections();
  const app = await createApp(config);
  // Without HOST, Node's default: every interface.
  await (config.host ? app.listen(config.port, config.host) : app.listen(config.port));
}

// The rejection handler above keeps the process alive, so a failed boot must end it here.
main().catch((error: unknown) => {
  process.stderr.write(`the service could not start: ${describeRejection(error)}\n`);
  process.exit(1);
});
