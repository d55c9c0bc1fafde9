import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AppConfig } from '../config/app-config';
import { MessengerClient } from './messenger-client.service';

@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        // Keep-alive with a bound on sockets: one TLS handshake per socket, not per message.
        const agentOptions = {
          keepAlive: true,
          maxSockets: config.graph.maxSockets,
          maxFreeSockets: config.graph.maxSockets,
        };
        return {
          httpAgent: new HttpAgent(agentOptions),
          httpsAgent: new HttpsAgent(agentOptions),
          maxRedirects: 0,
          // Without a proxy in the environment, axios need not look for one on every message.
          ...(proxyConfigured(process.env) ? {} : { proxy: false as const }),
        };
      },
    }),
  ],
  providers: [MessengerClient],
  exports: [MessengerClient],
})
export class MessengerModule {}

/** The variables axios (through proxy-from-env) reads a proxy from, in any case. */
const PROXY_VARIABLES = [
  'http_proxy',
  'https_proxy',
  'all_proxy',
  'npm_config_http_proxy',
  'npm_config_https_proxy',
  'npm_config_proxy',
];

/** Whether the environment names a proxy that axios would use. */
export function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return Object.entries(env).some(
    ([name, value]) => Boolean(value) && PROXY_VARIABLES.includes(name.toLowerCase()),
  );
}
