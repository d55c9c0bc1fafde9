/**
 * The service's configuration (SPEC §6), read from the environment once at boot
 * and validated: a missing or malformed value stops the process with one line
 * naming the variable. Everything else receives the typed, immutable AppConfig.
 */
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
  type ValidationError,
} from 'class-validator';

export type Role = 'api' | 'worker' | 'all';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Raw environment variables, as SPEC §6 names them. class-validator checks a
 * property's decorators bottom-up and stops at the first failure, so the type
 * check sits last and is the one reported for a value of the wrong type.
 */
class Environment {
  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT: number = 3000;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIP(undefined, {
    message: 'must be an IP address to listen on, e.g. 127.0.0.1, 0.0.0.0 (all IPv4) or :: (all)',
  })
  HOST?: string;

  @IsOptional()
  @IsString()
  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'must be a mongodb:// or mongodb+srv:// URI' })
  MONGODB_URI: string = 'mongodb://127.0.0.1:27017/messenger_campaigns';

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?(\/[^\s]*)?$/, { message: 'must be an http(s) URL' })
  GRAPH_API_URL: string = 'https://graph.facebook.com';

  @IsOptional()
  @Matches(/^v\d+\.\d+$/, { message: 'must look like v25.0' })
  GRAPH_API_VERSION: string = 'v25.0';

  @IsOptional()
  @Transform(toInt)
  @Min(100)
  @Max(120_000)
  @IsInt()
  GRAPH_TIMEOUT_MS: number = 15_000;

  @IsOptional()
  @Transform(toInt)
  @Min(1)
  @Max(1024)
  @IsInt()
  GRAPH_MAX_SOCKETS: number = 256;

  @IsOptional()
  @Matches(/^[A-Z_]*(,[A-Z_]+)*$/, { message: 'must be a comma-separated list of tag names' })
  ALLOWED_MESSAGE_TAGS: string = '';

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  API_TOKENS?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[0-9a-f]{32}$/i, { message: 'must be the 32 hex characters of a Facebook app secret' })
  APP_SECRET?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\d{1,20}$/, { message: 'must be a numeric Facebook app id' })
  APP_ID?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  WEBHOOK_VERIFY_TOKEN?: string;

  @IsOptional()
  @IsString()
  OPT_OUT_KEYWORDS: string = '';

  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(3_600_000)
  @IsInt()
  WEBHOOK_RETRY_TICK_MS: number = 5000;

  @IsString({ message: 'is required (32 random bytes in base64, e.g. `openssl rand -base64 32`)' })
  ENCRYPTION_KEY!: string;

  @IsOptional()
  @IsIn(['api', 'worker', 'all'])
  ROLE: Role = 'all';

  @IsOptional()
  @IsString()
  NODE_ENV: string = 'production';

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @IsOptional()
  @Transform(toInt)
  @Min(1024)
  @Max(64 * 1024 * 1024)
  @IsInt()
  JSON_BODY_LIMIT_BYTES: number = 1024 * 1024;

  @IsOptional()
  @Transform(toInt)
  @Min(1024)
  @Max(10 * 1024 * 1024 * 1024)
  @IsInt()
  IMPORT_MAX_BYTES: number = 512 * 1024 * 1024;

  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(60_000)
  @IsInt()
  SCHEDULER_TICK_MS: number = 1000;

  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(60_000)
  @IsInt()
  ENGINE_TICK_MS: number = 200;

  @IsOptional()
  @Transform(toInt)
  @Min(10)
  @Max(10_000)
  @IsInt()
  ENGINE_REFRESH_MS: number = 250;

  @IsOptional()
  @Transform(toInt)
  @Min(500)
  @Max(600_000)
  @IsInt()
  PAGE_LEASE_TTL_MS: number = 10_000;

  @IsOptional()
  @Transform(toInt)
  @Min(1)
  @Max(256)
  @IsInt()
  SEND_CONCURRENCY_PER_PAGE: number = 32;

  @IsOptional()
  @Transform(toInt)
  @Min(1)
  @Max(60_000)
  @IsInt()
  RETRY_BASE_MS: number = 500;
}

export class AppConfig {
  readonly port!: number;
  /** The interface to listen on; undefined is Node's default, every interface (IPv6 and IPv4). */
  readonly host?: string;
  readonly mongodbUri!: string;
  readonly graph!: {
    readonly baseUrl: string;
    readonly version: string;
    readonly timeoutMs: number;
    readonly maxSockets: number;
  };
  readonly allowedMessageTags!: readonly string[];
  /** Empty only in development, where the API is then open. */
  readonly apiTokens!: readonly string[];
  readonly appSecret?: string;
  readonly appId?: string;
  readonly webhookVerifyToken?: string;
  readonly webhook!: {
    /** Messages that suppress their sender (the whole text, any case); empty: none. */
    readonly optOutKeywords: readonly string[];
    /** How often stored events that failed are retried; 0 turns the pass off (tests run it by hand). */
    readonly retryTickMs: number;
  };
  readonly encryptionKey!: Buffer;
  readonly role!: Role;
  readonly development!: boolean;
  readonly logLevel!: string;
  readonly jsonBodyLimitBytes!: number;
  readonly importMaxBytes!: number;
  /** How often the scheduler looks for due campaigns; 0 turns it off (tests tick by hand). */
  readonly schedulerTickMs!: number;
  readonly engine!: {
    /** How often a worker looks for Pages to send for; 0 turns the engine off. */
    readonly tickMs: number;
    /** How often a Page's sender renews its lease and rereads its campaigns: pause and cancel take effect within it. */
    readonly refreshMs: number;
    readonly leaseTtlMs: number;
    readonly concurrencyPerPage: number;
    /** The first retry's delay; each next one doubles, with jitter. */
    readonly retryBaseMs: number;
  };
}

export class ConfigError extends Error {}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

/** Validates `env` and returns the typed configuration, or throws ConfigError naming each bad variable. */
export function loadAppConfig(env: NodeJS.ProcessEnv): AppConfig {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined),
  );
  const raw = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const problems = validateSync(raw, { stopAtFirstError: true }).map(describe);

  const encryptionKey = decodeKey(raw.ENCRYPTION_KEY);
  if (raw.ENCRYPTION_KEY !== undefined && !encryptionKey) {
    problems.push('ENCRYPTION_KEY must be exactly 32 bytes encoded in base64');
  }
  const development = raw.NODE_ENV === 'development';
  const apiTokens = list(raw.API_TOKENS);
  if (apiTokens.length === 0 && !development) {
    problems.push(
      'API_TOKENS is required (comma-separated bearer tokens) unless NODE_ENV=development',
    );
  }
  if (apiTokens.some((token) => token.length < 16)) {
    problems.push('API_TOKENS entries must be at least 16 characters');
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);

  return Object.freeze({
    port: raw.PORT,
    host: raw.HOST,
    mongodbUri: raw.MONGODB_URI,
    graph: Object.freeze({
      baseUrl: raw.GRAPH_API_URL.replace(/\/+$/, ''),
      version: raw.GRAPH_API_VERSION,
      timeoutMs: raw.GRAPH_TIMEOUT_MS,
      maxSockets: raw.GRAPH_MAX_SOCKETS,
    }),
    allowedMessageTags: Object.freeze(list(raw.ALLOWED_MESSAGE_TAGS)),
    apiTokens: Object.freeze(apiTokens),
    appSecret: raw.APP_SECRET,
    appId: raw.APP_ID,
    webhookVerifyToken: raw.WEBHOOK_VERIFY_TOKEN,
    webhook: Object.freeze({
      optOutKeywords: Object.freeze(list(raw.OPT_OUT_KEYWORDS)),
      retryTickMs: raw.WEBHOOK_RETRY_TICK_MS,
    }),
    encryptionKey: encryptionKey!,
    role: raw.ROLE,
    development,
    logLevel: raw.LOG_LEVEL,
    jsonBodyLimitBytes: raw.JSON_BODY_LIMIT_BYTES,
    importMaxBytes: raw.IMPORT_MAX_BYTES,
    schedulerTickMs: raw.SCHEDULER_TICK_MS,
    engine: Object.freeze({
      tickMs: raw.ENGINE_TICK_MS,
      refreshMs: raw.ENGINE_REFRESH_MS,
      leaseTtlMs: raw.PAGE_LEASE_TTL_MS,
      concurrencyPerPage: raw.SEND_CONCURRENCY_PER_PAGE,
      retryBaseMs: raw.RETRY_BASE_MS,
    }),
  });
}

function decodeKey(value: string | undefined): Buffer | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value.trim())) return undefined;
  const key = Buffer.from(value.trim(), 'base64');
  return key.length === 32 ? key : undefined;
}

// Values are never echoed: a variable may hold a secret.
function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).map((reason) =>
    reason.replace(new RegExp(`^${error.property}\\s*`), ''),
  );
  return `${error.property} ${reasons.join(', ')}`;
}
