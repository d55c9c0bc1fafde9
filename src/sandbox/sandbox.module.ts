import { DynamicModule, Module } from '@nestjs/common';
import { SandboxControlController } from './sandbox.controller';
import { SANDBOX_OPTIONS, SandboxService } from './sandbox.service';
import type { SandboxOptions } from './sandbox.types';

@Module({})
export class SandboxModule {
  static register(options: SandboxOptions = {}): DynamicModule {
    return {
      module: SandboxModule,
      // The Graph routes are answered ahead of Nest (graph-route.ts); these are the scripting ones.
      controllers: [SandboxControlController],
      providers: [
        { provide: SANDBOX_OPTIONS, useValue: options },
        {
          provide: SandboxService,
          inject: [SANDBOX_OPTIONS],
          useFactory: (o: SandboxOptions) => new SandboxService(o),
        },
      ],
      exports: [SandboxService],
    };
  }
}
