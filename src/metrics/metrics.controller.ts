import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { WithoutDatabase } from '../common/database-availability.guard';
import { PublicRoute } from '../common/public-route.decorator';
import { MetricsService } from './metrics.service';

@ApiExcludeController()
@PublicRoute()
@WithoutDatabase()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
