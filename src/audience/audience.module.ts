import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MulterModule } from '@nestjs/platform-express';
import { AppConfig } from '../config/app-config';
import { PagesModule } from '../pages/pages.module';
import { SegmentsModule } from '../segments/segments.module';
import { AttributesController } from './attributes.controller';
import { csvUploadStorage } from './csv-upload';
import { Import, ImportSchema } from './import.schema';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';
import { UsersController } from './users.controller';
import { UsersRepositoryModule } from './users-repository.module';
import { UsersService } from './users.service';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: Import.name, schema: ImportSchema }]),
    // Uploads go to disk as they arrive: a file is never held in memory whole.
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        storage: csvUploadStorage(),
        limits: { fileSize: config.importMaxBytes, files: 1, fields: 10 },
      }),
    }),
    PagesModule,
    SegmentsModule,
    UsersRepositoryModule,
  ],
  controllers: [ImportsController, UsersController, AttributesController],
  providers: [UsersService, ImportsService],
  // The repository is the users collection's one owner; campaigns query users through it.
  exports: [UsersService, UsersRepositoryModule],
})
export class AudienceModule {}
