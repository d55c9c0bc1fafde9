import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from '../common/clock';
import { SecretBox } from '../common/secret-box';
import { AppConfig } from './app-config';

/** Makes the validated AppConfig, the SecretBox keyed by it and the Clock injectable everywhere. */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useValue: clock },
        SecretBox,
      ],
      exports: [AppConfig, Clock, SecretBox],
    };
  }
}
