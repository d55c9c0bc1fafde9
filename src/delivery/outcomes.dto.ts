import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { IsOmittable } from '../common/omittable';
import { OUTCOME_STATUSES } from './delivery.schema';

const RUN_ID = /^[a-f0-9]{24}$/;

export class RunQuery {
  @ApiPropertyOptional({
    description: 'One run of the campaign (default: every run for stats, the latest for lists)',
  })
  @IsOmittable()
  @Matches(RUN_ID, { message: 'must be a run id' })
  runId?: string;
}

export class DeliveriesQuery extends RunQuery {
  @ApiPropertyOptional({ enum: [...OUTCOME_STATUSES, 'sending'] })
  @IsOmittable()
  @IsIn([...OUTCOME_STATUSES, 'sending'])
  status?: string;

  @ApiPropertyOptional({ example: 'window_closed' })
  @IsOmittable()
  @Matches(/^[A-Za-z0-9_:.-]{1,100}$/, {
    message: 'must be a reason such as window_closed or graph_551_1545041',
  })
  reason?: string;

  @ApiPropertyOptional({ description: 'Recipients whose PSID starts with these digits' })
  @IsOmittable()
  @Matches(/^\d{1,32}$/, { message: 'must be a PSID or its first digits' })
  psid?: string;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOmittable()
  @Type(() => Number)
  @Max(1000)
  @Min(1)
  @IsInt()
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOmittable()
  @IsString()
  @Matches(/^[a-f0-9]{24}:\d{1,32}:\d{3}$/, { message: 'must be a nextCursor this API returned' })
  cursor?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: the whole run as a file' })
  @IsOmittable()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class RetryFailedDto {
  @ApiPropertyOptional({ description: 'The run to retry (default: the latest)' })
  @IsOmittable()
  @Matches(RUN_ID, { message: 'must be a run id' })
  runId?: string;
}
