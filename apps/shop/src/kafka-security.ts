/**
 * TLS and SASL settings for reaching a secured Kafka cluster, from the environment (documented in README.md).
 * Checked together at start-up: a missing or contradictory setting stops the process with the variable's name,
 * and never with a secret's value (messages end up in logs).
 */
import { readFileSync } from 'node:fs';
import type { KafkaBackendOptions } from '@tributary/streams';

export type KafkaSecurity = NonNullable<KafkaBackendOptions['security']>;

export const KAFKA_SECURITY_VARIABLES = [
  'KAFKA_SECURITY_PROTOCOL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
  'KAFKA_SSL_CA_LOCATION',
  'KAFKA_SSL_CERTIFICATE_LOCATION',
  'KAFKA_SSL_KEY_LOCATION',
  'KAFKA_SSL_KEY_PASSWORD',
  'KAFKA_SSL_VERIFY_HOSTNAME',
] as const;

type SecurityEnv = Partial<Record<(typeof KAFKA_SECURITY_VARIABLES)[number], string>>;

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

const oneOf = <T extends string>(values: ReadonlyArray<T>, value: string): value is T => (values as ReadonlyArray<string>).includes(value);

/**
 * The security settings `env` describes (undefined: PLAINTEXT), or the problems with them, each naming its variable.
 * Empty variables count as unset.
 */
export function kafkaSecurityFromEnv(env: SecurityEnv): { security: KafkaSecurity | undefined; problems: string[] } {
  const problems: string[] = [];
  const protocol = env.KAFKA_SECURITY_PROTOCOL?.toUpperCase() ?? 'PLAINTEXT';
  if (!oneOf(PROTOCOLS, protocol)) {
    return { security: undefined, problems: [`KAFKA_SECURITY_PROTOCOL: must be one of ${PROTOCOLS.join(', ')}`] };
  }
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const saslVariables = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const;
  const sslVariables = ['KAFKA_SSL_CA_LOCATION', 'KAFKA_SSL_CERTIFICATE_LOCATION', 'KAFKA_SSL_KEY_LOCATION', 'KAFKA_SSL_KEY_PASSWORD', 'KAFKA_SSL_VERIFY_HOSTNAME'] as const;
  if (!usesSasl) for (const v of saslVariables) if (env[v] !== undefined) problems.push(`${v}: is set but KAFKA_SECURITY_PROTOCOL=${protocol} does not use SASL`);
  if (!usesTls) for (const v of sslVariables) if (env[v] !== undefined) problems.push(`${v}: is set but KAFKA_SECURITY_PROTOCOL=${protocol} does not use TLS`);

  let sasl: KafkaSecurity['sasl'];
  if (usesSasl) {
    const mechanism = env.KAFKA_SASL_MECHANISM?.toUpperCase();
    if (mechanism === undefined || !oneOf(MECHANISMS, mechanism)) problems.push(`KAFKA_SASL_MECHANISM: must be one of ${MECHANISMS.join(', ')} with ${protocol}`);
    const username = env.KAFKA_SASL_USERNAME;
    if (username === undefined) problems.push(`KAFKA_SASL_USERNAME: is required with ${protocol}`);
    let password = env.KAFKA_SASL_PASSWORD;
    if (password !== undefined && env.KAFKA_SASL_PASSWORD_FILE !== undefined) {
      problems.push('KAFKA_SASL_PASSWORD_FILE: set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
    } else if (env.KAFKA_SASL_PASSWORD_FILE !== undefined) {
      try {
        password = readFileSync(env.KAFKA_SASL_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
        if (password === '') problems.push('KAFKA_SASL_PASSWORD_FILE: the file is empty');
      } catch {
        problems.push('KAFKA_SASL_PASSWORD_FILE: cannot be read');
      }
    } else if (password === undefined) {
      problems.push(`KAFKA_SASL_PASSWORD: is required with ${protocol} (or KAFKA_SASL_PASSWORD_FILE)`);
    }
    if (mechanism !== undefined && oneOf(MECHANISMS, mechanism) && username !== undefined && password !== undefined && password !== '') {
      sasl = { mechanism, username, password };
    }
  }

  let ssl: KafkaSecurity['ssl'];
  if (usesTls) {
    const verify = env.KAFKA_SSL_VERIFY_HOSTNAME?.toLowerCase();
    if (verify !== undefined && verify !== 'true' && verify !== 'false') problems.push('KAFKA_SSL_VERIFY_HOSTNAME: must be true or false');
    ssl = {
      ...(env.KAFKA_SSL_CA_LOCATION !== undefined ? { caLocation: env.KAFKA_SSL_CA_LOCATION } : {}),
      ...(env.KAFKA_SSL_CERTIFICATE_LOCATION !== undefined ? { certificateLocation: env.KAFKA_SSL_CERTIFICATE_LOCATION } : {}),
      ...(env.KAFKA_SSL_KEY_LOCATION !== undefined ? { keyLocation: env.KAFKA_SSL_KEY_LOCATION } : {}),
      ...(env.KAFKA_SSL_KEY_PASSWORD !== undefined ? { keyPassword: env.KAFKA_SSL_KEY_PASSWORD } : {}),
      ...(verify === 'false' ? { verifyHostname: false } : {}),
    };
    if ((ssl.certificateLocation === undefined) !== (ssl.keyLocation === undefined)) {
      problems.push('KAFKA_SSL_CERTIFICATE_LOCATION: a client certificate needs KAFKA_SSL_KEY_LOCATION too (and the other way round)');
    }
  }
  if (problems.length > 0) return { security: undefined, problems };
  if (protocol === 'PLAINTEXT') return { security: undefined, problems };
  return { security: { protocol, ...(sasl !== undefined ? { sasl } : {}), ...(ssl !== undefined ? { ssl } : {}) }, problems };
}
