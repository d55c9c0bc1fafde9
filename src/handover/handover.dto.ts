/** Bodies and answers of the thread routes (SPEC §7, §9), validated at the edge. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { IsOmittable } from '../common/omittable';
import { PAGE_INBOX_APP_ID } from '../messenger/payloads';

/** Facebook's limit on the metadata passed with a handover. */
export const METADATA_MAX_LENGTH = 1000;

export class TakeThreadDto {
  @ApiPropertyOptional({
    description: 'Passed on to the other apps in the handover webhook',
    maxLength: METADATA_MAX_LENGTH,
  })
  @IsOmittable()
  @IsString()
  @MaxLength(METADATA_MAX_LENGTH)
  metadata?: string;
}

export class RequestThreadDto extends TakeThreadDto {}

export class PassThreadDto extends TakeThreadDto {
  @ApiPropertyOptional({
    example: PAGE_INBOX_APP_ID,
    description: 'The app to pass the thread to; the Page Inbox ("send to inbox") when left out',
  })
  @IsOmittable()
  @Matches(/^[1-9]\d{0,19}$/, { message: 'must be a numeric Facebook app id' })
  targetAppId?: string;
}

export class ThreadControlAnswer {
  @ApiProperty({ example: true }) ok!: true;
}

export class ThreadOwnerAnswer {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The app that owns the thread; null when Facebook names none (an idle thread)',
  })
  appId!: string | null;

  @ApiProperty({ description: "Whether the owner is this service's own app (APP_ID)" })
  ownedByThisApp!: boolean;
}
