import { GraphTransport } from './graph-transport';

const PROXY_VARIABLES = [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
];
const clearProxyVariables = () => {
  for (const name of PROXY_VARIABLES) delete process.env[name];
};

describe('GraphTransport', () => {
  const saved = { ...process.env };
  afterEach(() => {
    clearProxyVariables();
    Object.assign(process.env, saved);
  });
  const proxied = (baseUrl: string, env: Record<string, string>) => {
    Object.assign(process.env, env);
    const transport = new GraphTransport(baseUrl, 4);
    transport.destroy();
    return transport.proxied;
  };

  it.each([
    ['no proxy variable', 'https://graph.facebook.com', {}, false],
    [
      'HTTPS_PROXY for an https Graph URL',
      'https://graph.facebook.com',
      { HTTPS_PROXY: 'http://proxy:3128' },
      true,
    ],
    [
      'lower case https_proxy',
      'https://graph.facebook.com',
      { https_proxy: 'http://proxy:3128' },
      true,
    ],
    [
      'HTTP_PROXY only, for https',
      'https://graph.facebook.com',
      { HTTP_PROXY: 'http://proxy:3128' },
      false,
    ],
    [
      'HTTP_PROXY for an http Graph URL',
      'http://127.0.0.1:8080',
      { HTTP_PROXY: 'http://proxy:3128' },
      true,
    ],
    [
      'NO_PROXY naming the host',
      'https://graph.facebook.com',
      { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.facebook.com' },
      false,
    ],
    [
      'NO_PROXY naming another host',
      'https://graph.facebook.com',
      { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost' },
      true,
    ],
  ])('%s: proxied %s', (_name, baseUrl, env, expected) => {
    clearProxyVariables();
    expect(proxied(baseUrl, env)).toBe(expected);
  });
});
