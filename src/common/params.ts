import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class PageIdParam {
  @ApiProperty({ example: '104857600000001' })
  @Matches(/^\d{1,20}$/, { message: 'must be the numeric Facebook Page id' })
  pageId!: string;
}
