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
        };
      },
    }),
  ],
  providers: [MessengerClient],
  exports: [MessengerClient],
})
export class MessengerModule {}
