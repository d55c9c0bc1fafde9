import { proxyConfigured } from './messenger.module';

describe('proxyConfigured', () => {
  it.each([
    [{ HTTPS_PROXY: 'http://proxy:3128' }, true],
    [{ http_proxy: 'http://proxy:3128' }, true],
    [{ ALL_PROXY: 'socks5://proxy:1080' }, true],
    [{ npm_config_proxy: 'http://proxy:3128' }, true],
    [{ npm_config_https_proxy: 'http://proxy:3128' }, true],
    [{ HTTPS_PROXY: '' }, false],
    [{ NO_PROXY: 'graph.facebook.com' }, false],
    [{ PATH: '/usr/bin' }, false],
  ])('%j → %s', (env, expected) => {
    expect(proxyConfigured(env)).toBe(expected);
  });
});
