import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { GraphTransport } from './graph-transport';
import { MessengerClient } from './messenger-client.service';

@Module({
  providers: [
    {
      provide: GraphTransport,
      inject: [AppConfig],
      // Keep-alive with a bound on sockets: one TLS handshake per socket, not per message.
      useFactory: (config: AppConfig) =>
        new GraphTransport(config.graph.baseUrl, config.graph.maxSockets),
    },
    MessengerClient,
  ],
  exports: [MessengerClient],
})
export class MessengerModule {}
