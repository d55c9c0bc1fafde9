import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

export type ImportStatus = 'running' | 'completed' | 'failed';

export interface ImportCounts {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  invalid: number;
  /** Rows superseded by a later row of the same PSID in the file (the last row wins). */
  duplicates: number;
}

export const MAX_KEPT_ERRORS = 1000;

/** One CSV import; only the process running it writes it (SPEC §8, one writer per document). */
@Schema({ collection: 'imports', timestamps: true })
export class Import {
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true, enum: ['running', 'completed', 'failed'] }) status!: ImportStatus;
  @Prop() filename?: string;
  @Prop({ required: true }) bytes!: number;
  @Prop({ required: true }) delimiter!: string;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) counts!: ImportCounts;
  @Prop({ required: true, default: 0 }) rowsProcessed!: number;
  /** The file's rows, known once the first pass has read it (a progress bar's end). */
  @Prop() rowsTotal?: number;
  /** The first MAX_KEPT_ERRORS bad rows (`errors` in the API; that name is reserved in mongoose); errorCount has them all. */
  @Prop({ type: [{ _id: false, line: Number, reason: String }], default: [] }) rowErrors!: {
    line: number;
    reason: string;
  }[];
  @Prop({ required: true, default: 0 }) errorCount!: number;
  @Prop() failureReason?: string;
  /** Refreshed every batch; an import whose heartbeat stops was interrupted by a crash. */
  @Prop({ required: true }) heartbeatAt!: Date;
  @Prop() finishedAt?: Date;
  createdAt!: Date;
  updatedAt!: Date;
}

export const ImportSchema = SchemaFactory.createForClass(Import);
// Listing a Page's imports, newest first.
ImportSchema.index({ pageId: 1, createdAt: -1 });
// The start-up sweep for interrupted imports.
ImportSchema.index({ status: 1, heartbeatAt: 1 });
