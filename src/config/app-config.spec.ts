import { ConfigError, loadAppConfig } from './app-config';

const KEY = Buffer.alloc(32, 1).toString('base64');
const valid = { ENCRYPTION_KEY: KEY, API_TOKENS: 'token-aaaaaaaaaaaaaaaa, token-bbbbbbbbbbbbbbbb' };

describe('loadAppConfig', () => {
  it('applies the defaults of SPEC §6', () => {
    const config = loadAppConfig(valid);
    expect(config).toMatchObject({
      port: 3000,
      mongodbUri: 'mongodb://127.0.0.1:27017/messenger_campaigns',
      graph: { baseUrl: 'https://graph.facebook.com', version: 'v25.0' },
      allowedMessageTags: [],
      apiTokens: ['token-aaaaaaaaaaaaaaaa', 'token-bbbbbbbbbbbbbbbb'],
      role: 'all',
    });
    expect(config.encryptionKey).toEqual(Buffer.alloc(32, 1));
  });

  it('reads lists, numbers and trims the Graph URL', () => {
    const config = loadAppConfig({
      ...valid,
      PORT: '8080',
      ALLOWED_MESSAGE_TAGS: 'HUMAN_AGENT',
      GRAPH_API_URL: 'http://127.0.0.1:9/',
    });
    expect(config.port).toBe(8080);
    expect(config.allowedMessageTags).toEqual(['HUMAN_AGENT']);
    expect(config.graph.baseUrl).toBe('http://127.0.0.1:9');
  });

  it.each([
    [{ ENCRYPTION_KEY: undefined }, /ENCRYPTION_KEY is required/],
    [
      { ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') },
      /ENCRYPTION_KEY must be exactly 32 bytes/,
    ],
    [{ API_TOKENS: '' }, /API_TOKENS is required/],
    [{ API_TOKENS: 'short' }, /API_TOKENS entries must be at least 16 characters/],
    [{ PORT: 'eighty' }, /PORT must be an integer/],
    [{ HOST: 'example.com' }, /HOST must be an IP address/],
    [{ GRAPH_API_VERSION: '25' }, /GRAPH_API_VERSION must look like v25.0/],
    [{ ROLE: 'sender' }, /ROLE must be one of/],
    [{ APP_SECRET: 'not-hex' }, /APP_SECRET must be the 32 hex characters/],
    [{ MONGODB_URI: 'postgres://x' }, /MONGODB_URI must be a mongodb/],
  ])('refuses %p naming the variable', (override, message) => {
    expect(() => loadAppConfig({ ...valid, ...override })).toThrow(ConfigError);
    expect(() => loadAppConfig({ ...valid, ...override })).toThrow(message);
  });

  it('listens on every interface unless HOST names one', () => {
    expect(loadAppConfig(valid).host).toBeUndefined();
    expect(loadAppConfig({ ...valid, HOST: '' }).host).toBeUndefined();
    expect(loadAppConfig({ ...valid, HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(loadAppConfig({ ...valid, HOST: '::' }).host).toBe('::');
  });

  it('lets development run without API tokens', () => {
    expect(loadAppConfig({ ENCRYPTION_KEY: KEY, NODE_ENV: 'development' }).apiTokens).toEqual([]);
  });

  it('never repeats a secret value in its message', () => {
    const secret = 'Zm9vYmFyYmF6cXV4';
    expect(() =>
      loadAppConfig({ ...valid, ENCRYPTION_KEY: secret, APP_SECRET: 'secret-value-xyz' }),
    ).toThrow(
      expect.objectContaining({
        message: expect.not.stringMatching(/Zm9vYmFyYmF6cXV4|secret-value-xyz/),
      }),
    );
  });
});
