import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageIdParam } from '../common/params';
import { UsersService } from './users.service';

@ApiTags('audience')
@ApiBearerAuth()
@Controller('api/pages/:pageId/attributes')
export class AttributesController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({
    summary:
      "The attributes on the Page's newest 1,000 users: name, usual type, how many hold it, a few example values",
  })
  list(@Param() { pageId }: PageIdParam) {
    return this.users.attributes(pageId);
  }
}
