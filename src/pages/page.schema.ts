import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A Facebook Page the connector sends for. Secrets are stored sealed (see SecretBox). */
@Schema({ collection: 'pages', timestamps: true })
export class Page {
  // Unique: every lookup is by pageId, and registering a Page twice is a 409.
  @Prop({ required: true, unique: true })
  pageId!: string;

  @Prop({ required: true })
  name!: string;

  @Prop({ required: true })
  accessTokenSealed!: string;

  @Prop()
  appSecretSealed?: string;

  /** PSIDs a campaign can be test-sent to at once (see testers.ts); absent on Pages stored before testers. */
  @Prop({ type: [String], default: [] })
  testers!: string[];

  createdAt!: Date;
  updatedAt!: Date;
}

export const PageSchema = SchemaFactory.createForClass(Page);
