import type { AppConfig } from '../config/app-config';
import { SecretBox } from './secret-box';

const box = new SecretBox({ encryptionKey: Buffer.alloc(32, 3) } as AppConfig);

describe('SecretBox', () => {
  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('EAABsecret-token', 'page:1:accessToken');
    expect(sealed).not.toContain('EAABsecret-token');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed, 'page:1:accessToken')).toBe('EAABsecret-token');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('refuses another context, another key, and any alteration', () => {
    const sealed = box.seal('EAABsecret-token', 'page:1:accessToken');
    expect(() => box.open(sealed, 'page:2:accessToken')).toThrow();
    expect(() =>
      new SecretBox({ encryptionKey: Buffer.alloc(32, 4) } as AppConfig).open(
        sealed,
        'page:1:accessToken',
      ),
    ).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'page:1:accessToken')).toThrow();
    expect(() => box.open('plain', 'page:1:accessToken')).toThrow(/unknown format/);
  });
});
