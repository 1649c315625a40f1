/**
 * Process plumbing shared by `main.ts` and `services/run.ts`: configuration errors end the process with a clear
 * message, SIGINT/SIGTERM close cleanly, and a second signal exits at once.
 */
import type { Logger } from '@tributary/streams';
import { ConfigError, loadConfig, type ShopConfig } from './config.js';
import { createLogger } from './logger.js';

export interface Closeable {
  close(): Promise<void>;
}

/** Loads the config, runs `start`, and closes what it returned on the first SIGINT/SIGTERM. */
export function runProcess(name: string, start: (config: ShopConfig, logger: Logger) => Promise<Closeable>): void {
  let config: ShopConfig;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel, name);
  let running: Closeable | undefined;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void (running?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  start(config, logger).then(
    (r) => {
      running = r;
      if (stopping) void r.close().then(() => process.exit(0));
    },
    (error: unknown) => {
      logger.error({ err: error instanceof Error ? (error.stack ?? error.message) : String(error) }, 'start-up failed');
      process.exit(1);
    },
  );
}
