/**
 * A Page's utility templates as submitted to Facebook, and every status seen for
 * them. The current status is the newest observation, never an update in place:
 * statuses arrive from the create answer, webhooks and re-syncs in any order, and
 * an insert under a unique key is the only write that cannot race (SPEC §8).
 */
import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

@Schema({ collection: 'utility_templates', versionKey: false })
export class UtilityTemplate {
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ required: true }) language!: string;
  @Prop({ required: true }) category!: string;
  /** The components as JSON text: their examples are nested arrays, which FerretDB cannot store. */
  @Prop({ required: true }) componentsJson!: string;
  /** Facebook's id of the template: webhooks name it. */
  @Prop({ required: true }) facebookId!: string;
  @Prop({ required: true }) createdAt!: Date;
}

export const UtilityTemplateSchema = SchemaFactory.createForClass(UtilityTemplate);
// Facebook's identity of a template: one per Page, name and language.
UtilityTemplateSchema.index({ pageId: 1, name: 1, language: 1 }, { unique: true });

/** One status of a template as seen at a time; `_id` makes a redelivered event a no-op. */
@Schema({ collection: 'utility_template_statuses', versionKey: false })
export class TemplateStatusObservation {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true }) facebookId!: string;
  @Prop({ required: true }) status!: string;
  @Prop() reason?: string;
  /** When Facebook's answer or event was received: the newest wins. */
  @Prop({ required: true }) at!: Date;
}

export const TemplateStatusObservationSchema =
  SchemaFactory.createForClass(TemplateStatusObservation);
// A template's observations, newest first.
TemplateStatusObservationSchema.index({ pageId: 1, facebookId: 1, at: -1 });
