import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Connection } from 'mongoose';
import { WithoutDatabase } from '../common/database-availability.guard';
import { PublicRoute } from '../common/public-route.decorator';

const DATABASE_CHECK_TIMEOUT_MS = 2000;

@ApiTags('operations')
@PublicRoute()
@WithoutDatabase()
@Controller('health')
export class HealthController {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  @Get()
  @ApiOperation({
    summary: 'Liveness with a database round trip; 503 when the database does not answer',
  })
  async check(@Res() res: Response): Promise<void> {
    const database = (await this.pingDatabase()) ? 'up' : 'down';
    const status = database === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE;
    res.status(status).json({ status: database === 'up' ? 'ok' : 'error', database });
  }

  /**
   * A real round trip even while disconnected: the attempt makes the driver probe
   * the server at once, so the service is back as soon as the database is, not
   * at the driver's next 10-second heartbeat.
   */
  private async pingDatabase(): Promise<boolean> {
    const db = this.connection.db;
    if (!db) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), DATABASE_CHECK_TIMEOUT_MS);
    });
    try {
      return await Promise.race([db.command({ ping: 1 }).then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
