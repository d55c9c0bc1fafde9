/**
 * While the database is unreachable, requests that need it answer 503 at once
 * instead of waiting for mongoose's buffer or the driver's server selection to
 * time out (seconds). Routes that answer without the database opt out.
 */
import { CanActivate, ExecutionContext, HttpStatus, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectConnection } from '@nestjs/mongoose';
import { ConnectionStates, type Connection } from 'mongoose';
import { ApiError } from './api-error';

const WITHOUT_DATABASE = 'withoutDatabase';

/** Marks a route that answers without the database (health reports it, metrics never use it). */
export const WithoutDatabase = (): MethodDecorator & ClassDecorator =>
  SetMetadata(WITHOUT_DATABASE, true);

export const databaseUnavailable = (): ApiError =>
  new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'database unavailable; try again later');

@Injectable()
export class DatabaseAvailabilityGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const exempt = this.reflector.getAllAndOverride<boolean>(WITHOUT_DATABASE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (exempt || this.connection.readyState === ConnectionStates.connected) return true;
    throw databaseUnavailable();
  }
}
