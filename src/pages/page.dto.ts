import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { PSID_PATTERN } from '../audience/user-rules';
import { IsOmittable } from '../common/omittable';
import { MAX_TESTERS } from './testers';

const PAGE_ID = /^\d{1,20}$/;
const ACCESS_TOKEN = /^[A-Za-z0-9_\-|.]{20,1024}$/;
const APP_SECRET = /^[0-9a-f]{32}$/i;

export class RegisterPageDto {
  @ApiProperty({ example: '104857600000001' })
  @Matches(PAGE_ID, { message: 'must be the numeric Facebook Page id' })
  pageId!: string;

  @ApiProperty({ example: 'Acme' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    description: 'Page access token; stored encrypted, never returned',
    writeOnly: true,
  })
  @Matches(ACCESS_TOKEN, {
    message: 'must be a Page access token (20 to 1024 characters, no spaces)',
  })
  accessToken!: string;

  @ApiPropertyOptional({
    description: 'App secret, for appsecret_proof; stored encrypted, never returned',
    writeOnly: true,
  })
  @IsOmittable()
  @Matches(APP_SECRET, { message: 'must be the 32 hex characters of a Facebook app secret' })
  appSecret?: string;
}

export class UpdatePageDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ description: 'A new Page access token (rotation)', writeOnly: true })
  @IsOmittable()
  @Matches(ACCESS_TOKEN, {
    message: 'must be a Page access token (20 to 1024 characters, no spaces)',
  })
  accessToken?: string;

  @ApiPropertyOptional({
    description: 'A new app secret, or null to stop sending appsecret_proof',
    nullable: true,
    writeOnly: true,
  })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Matches(APP_SECRET, {
    message: 'must be the 32 hex characters of a Facebook app secret, or null',
  })
  appSecret?: string | null;
}

export class TestMessageDto {
  @ApiProperty({
    example: '6543210987654321',
    description: 'PSID of a user who wrote to the Page recently',
  })
  @Matches(PSID_PATTERN, { message: 'must be a PSID: digits without a leading zero' })
  psid!: string;

  @ApiProperty({ example: 'Hello from the campaign connector' })
  @IsString()
  @Length(1, 2000)
  text!: string;
}

/** The whole list of a Page's testers; each item is checked by testerProblems, which names it. */
export class TestersDto {
  @ApiProperty({
    type: [String],
    maxItems: MAX_TESTERS,
    example: ['6543210987654321', '6543210987654322'],
    description: `At most ${MAX_TESTERS} PSIDs, digits without a leading zero, each once`,
  })
  @IsArray()
  psids!: unknown[];
}

/** A Page as the API shows it: never a secret, only whether one is set. */
export class PageView {
  @ApiProperty() pageId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Whether appsecret_proof is sent with every call' })
  hasAppSecret!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}
