/**
 * A stable id for this instance, kept in the state directory (Kafka Streams' process metadata file). The
 * exactly-once transactional id is derived from it, so an instance restarted after a crash fences its own
 * zombie transaction at once instead of waiting for the broker to time it out.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadProcessId(appDir: string): string {
  const file = join(appDir, 'kafka-streams-process-metadata');
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { processId?: unknown };
    if (typeof data.processId === 'string' && data.processId) return data.processId;
  } catch {
    // Missing or unreadable: make a new one below.
  }
  const processId = randomUUID();
  mkdirSync(appDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ processId }));
  return processId;
}
