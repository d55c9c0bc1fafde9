/** Bodies of the sandbox's scripting routes, validated like every other input. */
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import type { ScriptedError } from './sandbox.types';

export class SandboxPageDto {
  @Matches(/^\d{1,20}$/, { message: 'must be a numeric Page id' }) pageId!: string;
  @IsString()
  @Matches(/^\S{10,1024}$/, { message: 'must be a token without spaces' })
  accessToken!: string;
  @IsOptional()
  @Matches(/^[0-9a-f]{32}$/i, { message: 'must be 32 hex characters' })
  appSecret?: string;
}

export class SandboxUsageDto {
  @IsOptional() @IsNumber() @Min(0) page?: number;
  @IsOptional() @IsNumber() @Min(0) app?: number;
  @IsOptional() @IsNumber() @Min(0) businessUseCase?: number;
}

export class SandboxScenarioDto {
  @IsOptional() @IsInt() @Min(0) @Max(120_000) latencyMs?: number;
  @IsOptional() @IsObject() errorsByPsid?: Record<string, ScriptedError>;
  @IsOptional()
  @IsArray()
  @Matches(/^\d+$/, { each: true, message: 'each must be a PSID' })
  outsideWindowPsids?: string[];
  @IsOptional() @IsInt() @Min(0) throttleNext?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(1) serverErrorRatio?: number;
  @IsOptional()
  @IsArray()
  @Matches(/^\d+$/, { each: true, message: 'each must be a PSID' })
  resetPsids?: string[];
  @IsOptional() @Type(() => Number) @IsInt() seed?: number;
  @IsOptional() @IsIn(['APPROVED', 'PENDING']) templateReview?: 'APPROVED' | 'PENDING';
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SandboxUsageDto)
  usage?: SandboxUsageDto;
}

export class SandboxThreadOwnerDto {
  @Matches(/^\d+$/, { message: 'must be a PSID' }) psid!: string;
  @Matches(/^\d+$/, { message: 'must be an app id' }) appId!: string;
}

export class SandboxPsidDto {
  @Matches(/^\d+$/, { message: 'must be a PSID' }) psid!: string;
}

export class SandboxWebhookDto {
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) url!: string;
  @IsObject() payload!: Record<string, unknown>;
}

/** A user's tap on an opt-in request; with `url`, the opt-in webhook is sent there. */
export class SandboxOptinDto {
  @Matches(/^\d{1,20}$/, { message: 'must be a numeric Page id' }) pageId!: string;
  @Matches(/^\d+$/, { message: 'must be a PSID' }) psid!: string;
  @IsIn(['one_time_notif_req', 'notification_messages'])
  type!: 'one_time_notif_req' | 'notification_messages';
  @IsString() topic!: string;
  @IsOptional() @IsIn(['DAILY', 'WEEKLY', 'MONTHLY']) frequency?: 'DAILY' | 'WEEKLY' | 'MONTHLY';
  @IsOptional() @IsString() timezone?: string;
  @IsOptional() @IsString() title?: string;
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) url?: string;
}

/** A user's STOP or RESUME NOTIFICATIONS; with `url`, the webhook is sent there. */
export class SandboxNotificationStatusDto {
  @Matches(/^\d{1,20}$/, { message: 'must be a numeric Page id' }) pageId!: string;
  @Matches(/^\d+$/, { message: 'must be a PSID' }) psid!: string;
  @IsIn(['STOP NOTIFICATIONS', 'RESUME NOTIFICATIONS'])
  status!: 'STOP NOTIFICATIONS' | 'RESUME NOTIFICATIONS';
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) url?: string;
}

/** Facebook's review of a Page's template (name and language); with `url`, the status webhook is sent there. */
export class SandboxTemplateStatusDto {
  @Matches(/^\d{1,20}$/, { message: 'must be a numeric Page id' }) pageId!: string;
  @IsString() name!: string;
  @IsString() language!: string;
  @IsIn(['PENDING', 'APPROVED', 'REJECTED']) status!: 'PENDING' | 'APPROVED' | 'REJECTED';
  @IsOptional() @IsString() reason?: string;
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) url?: string;
}
