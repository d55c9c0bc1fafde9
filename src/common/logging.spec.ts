import pino from 'pino';
import { Writable } from 'node:stream';
import { redactSecrets, redactUrl, REDACTED_PATHS } from './logging';

describe('log redaction', () => {
  it('hides secret query values in URLs and keeps the rest', () => {
    expect(
      redactUrl('/webhooks/messenger?hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=42'),
    ).toBe('/webhooks/messenger?hub.mode=subscribe&hub.verify_token=[Redacted]&hub.challenge=42');
    expect(
      redactUrl('/v25.0/me/thread_owner?recipient=1&access_token=EAAB&appsecret_proof=ab'),
    ).toBe('/v25.0/me/thread_owner?recipient=1&access_token=[Redacted]&appsecret_proof=[Redacted]');
    expect(redactUrl('/api/pages')).toBe('/api/pages');
    expect(redactUrl('/health?%ZZ=1&access%5Ftoken=EAAB')).toBe(
      '/health?%ZZ=1&access%5Ftoken=[Redacted]',
    );
  });

  it('masks secrets in free text', () => {
    expect(redactSecrets('mongodb://app:pw@db/x?token=abc Bearer EAAB123 ok')).toBe(
      'mongodb://app:[Redacted]@db/x?token=[Redacted] Bearer [Redacted] ok',
    );
  });

  it('redacts the Authorization header and secret fields in log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[Redacted]' } }, sink);
    logger.info(
      {
        req: {
          headers: { authorization: 'Bearer abc123secret', 'x-hub-signature-256': 'sha256=ff' },
        },
      },
      'request',
    );
    logger.info({ page: { accessToken: 'EAABtoken999', appSecret: 'appsecret777' } }, 'page');
    logger.info(
      { recipient: { one_time_notif_token: 'otn555', notification_messages_token: 'nmt444' } },
      'send',
    );
    const output = lines.join('');
    expect(output).not.toMatch(/abc123secret|sha256=ff|EAABtoken999|appsecret777|otn555|nmt444/);
    expect(output).toContain('[Redacted]');
  });
});
