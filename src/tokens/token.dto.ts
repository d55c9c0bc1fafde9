/** Requests and answers of the token routes (SPEC §7, §9), validated at the edge. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { isIanaTimeZone, TIME_ZONE_PROBLEM } from '../audience/user-rules';
import { IsOmittable } from '../common/omittable';
import {
  NOTIFICATION_FREQUENCIES,
  TOKEN_KINDS,
  TOKEN_STATUSES,
  type NotificationFrequency,
  type TokenKind,
  type TokenStatus,
} from './token-rules';

/** The topic a campaign's `delivery.topic` names; the opt-in request carries it as its payload. */
const TOPIC_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;
/** Facebook's limit on the opt-in templates' title. */
export const OPTIN_TITLE_MAX = 65;

/** Exactly one audience: `psid` or `segmentId`. Reported on `segmentId`, which this decorates. */
function IsTheOtherAudience(): PropertyDecorator {
  const problem = (segmentId: unknown, psid: unknown): string | undefined => {
    if (segmentId !== undefined && psid !== undefined) return 'must be left out when psid is given';
    if (segmentId === undefined && psid === undefined) return 'must be given when psid is left out';
    if (
      segmentId !== undefined &&
      (typeof segmentId !== 'string' || !/^[a-f0-9]{24}$/.test(segmentId))
    )
      return 'must be a segment id';
    return undefined;
  };
  const psidOf = (args?: ValidationArguments) => (args?.object as { psid?: unknown }).psid;
  return ValidateBy({
    name: 'isTheOtherAudience',
    validator: {
      validate: (value, args) => !problem(value, psidOf(args)),
      defaultMessage: (args) => problem(args?.value, psidOf(args)) ?? '',
    },
  });
}

export class OtnRequestDto {
  @ApiPropertyOptional({ example: '6543210987654321', description: 'Send to this user' })
  @IsOmittable()
  @Matches(/^[1-9]\d{0,31}$/, { message: 'must be a PSID: digits without a leading zero' })
  @IsString()
  psid?: string;

  @ApiPropertyOptional({
    description: 'Or send to every user of this segment whose window is open',
  })
  @IsTheOtherAudience()
  segmentId?: string;

  @ApiProperty({ example: 'Back in stock?', maxLength: OPTIN_TITLE_MAX })
  @MinLength(1)
  @MaxLength(OPTIN_TITLE_MAX)
  @IsString()
  title!: string;

  @ApiProperty({ example: 'restock', description: 'Comes back with the token; campaigns name it' })
  @Matches(TOPIC_PATTERN, { message: 'must be letters, digits, _ . - (at most 100)' })
  @IsString()
  topic!: string;
}

export class NotificationRequestDto extends OtnRequestDto {
  @ApiProperty({ enum: NOTIFICATION_FREQUENCIES })
  @IsIn(NOTIFICATION_FREQUENCIES)
  frequency!: NotificationFrequency;

  @ApiPropertyOptional({ example: 'https://example.com/restock.png' })
  @IsOmittable()
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'must be an https URL' })
  @MaxLength(2000)
  @IsString()
  imageUrl?: string;

  @ApiPropertyOptional({
    example: 'Europe/Paris',
    description: 'When the Page may send (default UTC)',
  })
  @IsOmittable()
  @ValidateBy({
    name: 'isIanaTimeZone',
    validator: {
      validate: (value) => typeof value === 'string' && isIanaTimeZone(value),
      defaultMessage: () => TIME_ZONE_PROBLEM,
    },
  })
  @IsString()
  timezone?: string;
}

/** A token as the API shows it: never its value. */
export class TokenView {
  @ApiProperty({ description: 'A keyed hash: names the token, reveals nothing of it' }) id!: string;
  @ApiProperty({ enum: TOKEN_KINDS }) kind!: TokenKind;
  @ApiProperty() topic!: string;
  @ApiProperty({ enum: TOKEN_STATUSES }) status!: TokenStatus;
  @ApiProperty({ description: 'When the user opted in' }) createdAt!: Date;
  @ApiProperty() expiresAt!: Date;
  @ApiPropertyOptional({ enum: NOTIFICATION_FREQUENCIES }) frequency?: NotificationFrequency;
  @ApiPropertyOptional() timezone?: string;
  @ApiPropertyOptional({ description: 'REFRESHED or NOT_REFRESHED' }) userTokenStatus?: string;
  @ApiPropertyOptional() title?: string;
  @ApiPropertyOptional() lastUsedAt?: Date;
  @ApiPropertyOptional({ description: 'Marketing messages: the earliest next send' })
  nextAllowedAt?: Date;
}
