import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MulterModule } from '@nestjs/platform-express';
import { diskStorage } from 'multer';
import { AppConfig } from '../config/app-config';
import { PagesModule } from '../pages/pages.module';
import { SegmentsModule } from '../segments/segments.module';
import { ensureUploadDir, uploadFileName } from './csv-upload';
import { Import, ImportSchema } from './import.schema';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';
import { User, UserSchema } from './user.schema';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: User.name, schema: UserSchema },
      { name: Import.name, schema: ImportSchema },
    ]),
    // Uploads go to disk as they arrive: a file is never held in memory whole.
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        storage: diskStorage({
          destination: (_req, _file, done) => done(null, ensureUploadDir()),
          filename: (_req, _file, done) => done(null, uploadFileName()),
        }),
        limits: { fileSize: config.importMaxBytes, files: 1, fields: 10 },
      }),
    }),
    PagesModule,
    SegmentsModule,
  ],
  controllers: [ImportsController, UsersController],
  providers: [UsersService, ImportsService],
  exports: [UsersService],
})
export class AudienceModule {}
