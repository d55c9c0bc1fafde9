import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ArrayMaxSize,
  ValidateBy,
} from 'class-validator';
import { PSID_PATTERN } from '../audience/user-rules';
import { IsOmittable } from '../common/omittable';

const MESSAGE_EXAMPLE = {
  kind: 'text',
  text: 'Hi {{ user.firstName | default: "there" }}, {{ user.attributes.city }} store is open',
  quickReplies: ['Shop now', 'user_email', 'Later [https://example.com/later.png]'],
};

/** Nested parts (message, delivery, schedule) are checked by the composer and the policy parsers, with field paths. */
export class CreateCampaignDto {
  @ApiProperty({ example: 'Restock' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty() @Matches(/^[a-f0-9]{24}$/, { message: 'must be a segment id' }) segmentId!: string;
  @ApiProperty({
    example: MESSAGE_EXAMPLE,
    description: 'kind: text, attachment, buttons, generic, media, otn_request or raw (SPEC §2)',
  })
  @IsObject()
  message!: Record<string, unknown>;
  @ApiPropertyOptional({ example: { policy: 'window' } })
  @IsOmittable()
  @IsObject()
  delivery?: Record<string, unknown>;
  @ApiPropertyOptional({ example: { type: 'cron', cron: '0 9 * * 1', timezone: 'Europe/Paris' } })
  @IsOmittable()
  @IsObject()
  schedule?: Record<string, unknown>;
  @ApiPropertyOptional({ default: 40, minimum: 1, maximum: 300 })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(300)
  ratePerSecond?: number;
  @ApiPropertyOptional({ default: 1000, description: '0: never pause for errors' })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  maxErrors?: number;
}

/** Every field may be left out; none may be null (a campaign's fields are all required). */
export class UpdateCampaignDto {
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional()
  @IsOmittable()
  @Matches(/^[a-f0-9]{24}$/, { message: 'must be a segment id' })
  segmentId?: string;
  @ApiPropertyOptional() @IsOmittable() @IsObject() message?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOmittable() @IsObject() delivery?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOmittable() @IsObject() schedule?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOmittable() @IsInt() @Min(1) @Max(300) ratePerSecond?: number;
  @ApiPropertyOptional() @IsOmittable() @IsInt() @Min(0) @Max(10_000_000) maxErrors?: number;
}

export class CampaignParams {
  @ApiProperty()
  @Matches(/^[a-f0-9]{24}$/, { message: 'must be a campaign id' })
  campaignId!: string;
}

export class PreviewCampaignDto {
  @ApiPropertyOptional({
    description: 'Render for these users instead of a sample of the segment (at most 10)',
  })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(10)
  @Matches(PSID_PATTERN, {
    each: true,
    message: 'each must be a PSID: digits without a leading zero',
  })
  psids?: string[];

  @ApiPropertyOptional({
    description: 'An unsaved message to render instead of the saved one (checked as a PATCH would)',
  })
  @IsOmittable()
  @IsObject()
  message?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'An unsaved delivery policy to preview under' })
  @IsOmittable()
  @IsObject()
  delivery?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'An unsaved segment to take the sample and breakdown from' })
  @IsOmittable()
  @Matches(/^[a-f0-9]{24}$/, { message: 'must be a segment id' })
  segmentId?: string;

  @ApiPropertyOptional({ description: 'An unsaved schedule (checked, as a save would)' })
  @IsOmittable()
  @IsObject()
  schedule?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'An unsaved rate (checked against the message, as a save would)',
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(300)
  ratePerSecond?: number;
}

/** Exactly one recipient: a `psid`, or `testers: true`. Reported on `testers`, which this decorates. */
function IsTheOtherRecipient(): PropertyDecorator {
  const problem = (testers: unknown, psid: unknown): string | undefined => {
    if (testers !== undefined && typeof testers !== 'boolean') return 'must be a boolean value';
    if (testers === true && psid !== undefined) return 'must be left out when psid is given';
    if (testers !== true && psid === undefined) return 'must be true when psid is left out';
    return undefined;
  };
  return ValidateBy({
    name: 'isTheOtherRecipient',
    validator: {
      validate: (value, args) => !problem(value, (args?.object as TestSendDto).psid),
      defaultMessage: (args) => problem(args?.value, (args?.object as TestSendDto).psid) ?? '',
    },
  });
}

export class TestSendDto {
  @ApiPropertyOptional({ example: '6543210987654321', description: 'Send to this user' })
  @IsOmittable()
  @Matches(PSID_PATTERN, { message: 'must be a PSID: digits without a leading zero' })
  psid?: string;
  @ApiPropertyOptional({
    description:
      'true: send to each of the Page’s testers instead, answering {results: [{psid, ok, messageId | error}]}',
  })
  @IsTheOtherRecipient()
  testers?: boolean;
  @ApiPropertyOptional({
    description:
      'otn policy: spend one of the user’s tokens (otherwise a standard message is sent)',
  })
  @IsOmittable()
  @IsBoolean()
  useToken?: boolean;
}

/** Publish and resume: `force` goes live without a successful test-send of the current message version. */
export class PublishDto {
  @ApiPropertyOptional({
    description: 'Go live without a successful test-send of the current message version',
  })
  @IsOmittable()
  @IsBoolean()
  force?: boolean;
}
