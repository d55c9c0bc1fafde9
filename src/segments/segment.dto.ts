import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOmittable } from '../common/omittable';
import { IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

/** The segment of SPEC §9, shown in the OpenAPI document and used by the demo. */
export const SPEC_EXAMPLE_RULES = {
  all: [
    { attribute: 'city', op: 'eq', value: 'Lyon' },
    { attribute: 'orders', op: 'gte', value: 3 },
    {
      any: [
        { attribute: 'vip', op: 'eq', value: true },
        { attribute: 'lastInboundAt', op: 'withinLastDays', value: 7 },
      ],
    },
  ],
};

export class CreateSegmentDto {
  @ApiProperty({ example: 'Lyon regulars' }) @IsString() @Length(1, 200) name!: string;

  @ApiProperty({
    example: SPEC_EXAMPLE_RULES,
    description:
      'all/any/not groups (at most 5 deep) of {attribute, op, value}; ops: eq ne in nin gt gte lt lte exists contains startsWith before after withinLastDays',
  })
  @IsObject()
  rules!: Record<string, unknown>;
}

/** Either may be left out; neither may be null (a segment always has a name and rules). */
export class UpdateSegmentDto {
  @ApiPropertyOptional() @IsOmittable() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ example: SPEC_EXAMPLE_RULES })
  @IsOmittable()
  @IsObject()
  rules?: Record<string, unknown>;
}

/** Rules not saved yet, previewed as the marketer edits them. */
export class PreviewRulesDto {
  @ApiProperty({ example: SPEC_EXAMPLE_RULES })
  @IsObject()
  rules!: Record<string, unknown>;

  @ApiPropertyOptional({ default: 10, maximum: 50 })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(50)
  sampleSize?: number;
}

export class SegmentParams {
  @ApiProperty()
  @Matches(/^\d{1,20}$/, { message: 'must be the numeric Facebook Page id' })
  pageId!: string;
  @ApiProperty() @Matches(/^[a-f0-9]{24}$/, { message: 'must be a segment id' }) segmentId!: string;
}

export class PreviewQuery {
  @ApiPropertyOptional({ default: 10, maximum: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(50)
  sampleSize?: number;
}

export class SegmentView {
  @ApiProperty() id!: string;
  @ApiProperty() pageId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) rules!: Record<string, unknown>;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}
