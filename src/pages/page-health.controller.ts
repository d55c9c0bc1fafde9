import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageIdParam } from '../common/params';
import { PageHealthService, type PageHealthView } from './page-health.service';
import { PagesService } from './pages.service';

@ApiTags('pages')
@ApiBearerAuth()
@Controller('api/pages/:pageId/health')
export class PageHealthController {
  constructor(
    private readonly pages: PagesService,
    private readonly health: PageHealthService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Whether the Page can send: ok, token_invalid, permission_missing, restricted or blocked, with the last error and the campaigns it paused',
  })
  async get(@Param() { pageId }: PageIdParam): Promise<PageHealthView> {
    await this.pages.get(pageId);
    return this.health.get(pageId);
  }
}
