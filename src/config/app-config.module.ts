import { DynamicModule, Global, Module } from '@nestjs/common';
import { SecretBox } from '../common/secret-box';
import { AppConfig } from './app-config';

/** Makes the validated AppConfig (and the SecretBox keyed by it) injectable everywhere. */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: AppConfig, useValue: config }, SecretBox],
      exports: [AppConfig, SecretBox],
    };
  }
}
