import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageIdParam } from '../common/params';
import {
  CreateTemplateDto,
  TemplateLanguageQuery,
  TemplateListQuery,
  TemplateNameParams,
} from './template.dto';
import { TemplatesService } from './templates.service';

@ApiTags('templates')
@ApiBearerAuth()
@Controller('api/pages/:pageId/templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Post()
  @ApiOperation({
    summary: 'Submit a utility template to Facebook; answers it with Facebook’s id and status',
  })
  create(@Param() { pageId }: PageIdParam, @Body() body: CreateTemplateDto) {
    return this.templates.create(pageId, body);
  }

  @Get()
  @ApiOperation({
    summary: 'The Page’s utility templates with their status; ?sync=true reads Facebook first',
  })
  async list(@Param() { pageId }: PageIdParam, @Query() { sync }: TemplateListQuery) {
    return {
      items:
        sync === 'true' ? await this.templates.sync(pageId) : await this.templates.list(pageId),
    };
  }

  @Post('sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Read every template’s status from Facebook (a missed webhook)' })
  async sync(@Param() { pageId }: PageIdParam) {
    return { items: await this.templates.sync(pageId) };
  }

  @Get(':name')
  @ApiOperation({ summary: 'One template and its status' })
  get(@Param() { pageId, name }: TemplateNameParams, @Query() { language }: TemplateLanguageQuery) {
    return this.templates.get(pageId, name, language);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Delete the template (every language) at Facebook and here; approved ones are not editable',
  })
  delete(@Param() { pageId, name }: TemplateNameParams): Promise<void> {
    return this.templates.delete(pageId, name);
  }
}
