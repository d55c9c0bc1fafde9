import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { UsersRepositoryModule } from '../audience/users-repository.module';
import { PagesModule } from '../pages/pages.module';
import { Segment, SegmentSchema } from './segment.schema';
import { SegmentsController } from './segments.controller';
import { SegmentsService } from './segments.service';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: Segment.name, schema: SegmentSchema }]),
    PagesModule,
    UsersRepositoryModule,
  ],
  controllers: [SegmentsController],
  providers: [SegmentsService],
  exports: [SegmentsService],
})
export class SegmentsModule {}
