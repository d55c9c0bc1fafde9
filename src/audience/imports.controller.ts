import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { Request } from 'express';
import { ApiError } from '../common/api-error';
import { PageIdParam } from '../common/params';
import { AppConfig } from '../config/app-config';
import { storeCsvBody } from './csv-upload';
import { ImportsService, type ImportView } from './imports.service';
import { RemoveUploadOnError } from './upload-cleanup.interceptor';

class ImportParams {
  @ApiProperty() @Matches(/^[a-f0-9]{24}$/, { message: 'must be an import id' }) importId!: string;
}

class ImportWaitQuery {
  @ApiPropertyOptional({
    description: 'Wait up to this many seconds for the import to finish',
    maximum: 60,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60)
  waitSeconds?: number;
}

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'];

@ApiTags('audience')
@ApiBearerAuth()
@Controller('api')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly config: AppConfig,
  ) {}

  @Post('pages/:pageId/imports')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseInterceptors(RemoveUploadOnError, FileInterceptor('file'))
  @ApiOperation({
    summary:
      'Import users from a CSV file (multipart field `file`, or a text/csv body); 202 {importId}',
  })
  @ApiConsumes('multipart/form-data', 'text/csv')
  @ApiBody({
    schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } },
  })
  async upload(
    @Param() { pageId }: PageIdParam,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Req() req: Request,
  ): Promise<ImportView> {
    if (file)
      return this.imports.start(pageId, {
        path: file.path,
        bytes: file.size,
        filename: file.originalname,
      });
    if (!req.is(CSV_TYPES)) {
      throw new ApiError(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        'send the CSV as a multipart field "file" or as a text/csv body',
        [{ field: 'file', reason: 'is required' }],
      );
    }
    return this.imports.start(pageId, await storeCsvBody(req, this.config.importMaxBytes));
  }

  @Get('pages/:pageId/imports')
  async list(@Param() { pageId }: PageIdParam): Promise<{ items: ImportView[] }> {
    return { items: await this.imports.list(pageId) };
  }

  @Get('imports/:importId')
  @ApiOperation({
    summary:
      'Status, counts, progress (rowsProcessed of rowsTotal) and the first 1,000 errors with line numbers',
  })
  get(
    @Param() { importId }: ImportParams,
    @Query() { waitSeconds }: ImportWaitQuery,
  ): Promise<ImportView> {
    return this.imports.get(importId, waitSeconds);
  }
}
