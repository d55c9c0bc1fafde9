import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import type { AttributeValue } from './attributes';
import { isIanaTimeZone, PSID_PATTERN, TIME_ZONE_PROBLEM } from './user-rules';
import type { UserSource } from './user.schema';

/** PUT replaces a user's fields and attributes; PATCH merges (an attribute set to null is removed). */
export class UserInputDto {
  @ApiPropertyOptional({ example: 'Ana' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  firstName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) lastName?: string;
  @ApiPropertyOptional({ example: 'fr_FR' })
  @IsOptional()
  @Matches(/^[a-z]{2,3}(_[A-Z]{2})?$/, { message: 'must be a locale like fr_FR' })
  locale?: string;
  @ApiPropertyOptional({ example: 'Europe/Paris' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @ValidateBy({
    name: 'isIanaTimeZone',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isIanaTimeZone(value),
      defaultMessage: () => TIME_ZONE_PROBLEM,
    },
  })
  timezone?: string;

  @ApiPropertyOptional({
    example: { city: 'Lyon', orders: 3, vip: true, signed_up: '2026-01-15' },
    description: 'Strings, finite numbers, booleans; an ISO 8601 date string is stored as a date',
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;
}

export class UserListQuery {
  @ApiPropertyOptional({ description: 'Only users in this segment' })
  @IsOptional()
  @Matches(/^[a-f0-9]{24}$/, { message: 'must be a segment id' })
  segmentId?: string;

  @ApiPropertyOptional({
    description:
      'Search: digits find PSIDs starting with them; words find first or last names containing each (case and accents ignored)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^[a-f0-9]{24}$/, { message: 'must be a nextCursor value' })
  cursor?: string;
}

export class PsidParams {
  @ApiProperty()
  @Matches(/^\d{1,20}$/, { message: 'must be the numeric Facebook Page id' })
  pageId!: string;
  @ApiProperty()
  @Matches(PSID_PATTERN, { message: 'must be a PSID: digits without a leading zero' })
  psid!: string;
}

export class UserView {
  @ApiProperty() pageId!: string;
  @ApiProperty() psid!: string;
  @ApiPropertyOptional() firstName?: string;
  @ApiPropertyOptional() lastName?: string;
  @ApiPropertyOptional() locale?: string;
  @ApiPropertyOptional() timezone?: string;
  @ApiPropertyOptional() lastInboundAt?: Date;
  @ApiProperty({ enum: ['csv', 'api', 'webhook'] }) source!: UserSource;
  @ApiProperty() suppressed!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) attributes!: Record<
    string,
    AttributeValue
  >;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}
