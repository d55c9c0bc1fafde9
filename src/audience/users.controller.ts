import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOmittable } from '../common/omittable';
import { PageIdParam } from '../common/params';
import { SegmentsService } from '../segments/segments.service';
import { PsidParams, UserInputDto, UserListQuery, UserView } from './user.dto';
import { userSearchFilter } from './user-search';
import { UsersService } from './users.service';

class UserWriteDto extends UserInputDto {
  @ApiPropertyOptional({ description: 'Opted out: never sent campaign messages; never null' })
  @IsOmittable()
  @IsBoolean()
  suppressed?: boolean;
}

@ApiTags('audience')
@ApiBearerAuth()
@Controller('api/pages/:pageId/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly segments: SegmentsService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List users by cursor, optionally only those of a segment or matching a search',
  })
  async list(@Param() { pageId }: PageIdParam, @Query() query: UserListQuery) {
    const filters = [
      query.segmentId ? await this.segments.filterFor(pageId, query.segmentId) : undefined,
      userSearchFilter(query.q ?? ''),
    ].filter((filter) => filter !== undefined);
    const filter = filters.length > 1 ? { $and: filters } : filters[0];
    return this.users.list(pageId, { filter, limit: query.limit ?? 50, cursor: query.cursor });
  }

  @Get(':psid')
  get(@Param() { pageId, psid }: PsidParams): Promise<UserView> {
    return this.users.get(pageId, psid);
  }

  @Put(':psid')
  @ApiOperation({
    summary:
      'Create or replace a user (fields and attributes); webhook facts such as lastInboundAt stay',
  })
  put(@Param() { pageId, psid }: PsidParams, @Body() input: UserWriteDto): Promise<UserView> {
    return this.users.put(pageId, psid, input);
  }

  @Patch(':psid')
  @ApiOperation({ summary: 'Merge fields and attributes into a user; null removes one' })
  patch(@Param() { pageId, psid }: PsidParams, @Body() input: UserWriteDto): Promise<UserView> {
    return this.users.patch(pageId, psid, input);
  }

  @Delete(':psid')
  @HttpCode(204)
  delete(@Param() { pageId, psid }: PsidParams): Promise<void> {
    return this.users.delete(pageId, psid);
  }
}
