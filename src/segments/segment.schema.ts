import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** A saved rule tree over user attributes; compiled to a filter each time it is used. */
@Schema({ collection: 'segments', timestamps: true })
export class Segment {
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true }) name!: string;
  /** Only ever a tree that compileRules accepted. */
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) rules!: Record<string, unknown>;
  createdAt!: Date;
  updatedAt!: Date;
}

export const SegmentSchema = SchemaFactory.createForClass(Segment);
// Listing a Page's segments.
SegmentSchema.index({ pageId: 1, createdAt: 1 });
