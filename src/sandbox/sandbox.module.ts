import { DynamicModule, Module } from '@nestjs/common';
import { SandboxControlController, SandboxGraphController } from './sandbox.controller';
import { SANDBOX_OPTIONS, SandboxService } from './sandbox.service';
import type { SandboxOptions } from './sandbox.types';

@Module({})
export class SandboxModule {
  static register(options: SandboxOptions = {}): DynamicModule {
    return {
      module: SandboxModule,
      // The control routes come first so `/_sandbox/...` never reaches the Graph catch-all.
      controllers: [SandboxControlController, SandboxGraphController],
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
