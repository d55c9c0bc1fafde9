import { EventEmitter } from 'node:events';
import { describeRejection, logUnhandledRejections } from './process-safety';

describe('unhandled rejections', () => {
  it('are logged, once each, and leave the process running', () => {
    const process = new EventEmitter();
    const logged: string[] = [];
    logUnhandledRejections(process, { error: (line: string) => void logged.push(line) });
    process.emit('unhandledRejection', new Error('import failed'), Promise.resolve());
    expect(logged).toEqual([expect.stringMatching(/^unhandled rejection: Error: import failed\n/)]);
    expect(process.listenerCount('unhandledRejection')).toBe(1);
  });

  it('never show a secret: masked in the text, and other fields left out', () => {
    const error = Object.assign(
      new Error(
        'GET /v25.0/me?access_token=EAABsecret1 failed on mongodb://app:s3cretpass@db:27017/x with Bearer tok3n',
      ),
      { config: { headers: { Authorization: 'Bearer headerToken9' } } },
    );
    const line = describeRejection(error);
    expect(line).toContain('access_token=[Redacted]');
    expect(line).not.toMatch(/EAABsecret1|s3cretpass|tok3n|headerToken9/);
    expect(describeRejection('EAABsecret1')).toBe('a rejection with a string value');
  });
});
