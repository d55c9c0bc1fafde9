/**
 * Every route needs a bearer token from API_TOKENS unless marked @PublicRoute():
 * deny by default, so a new controller cannot be left open by mistake.
 */
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { PUBLIC_ROUTE } from './public-route.decorator';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

@Injectable()
export class BearerTokenGuard implements CanActivate {
  // Digests have one length, so timingSafeEqual never throws and the compare time leaks nothing.
  private readonly tokenDigests: Buffer[];

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {
    this.tokenDigests = config.apiTokens.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    if (this.tokenDigests.length === 0 && this.config.development) return true;

    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match)
      throw new UnauthorizedException('a bearer token is required (Authorization: Bearer …)');
    const presented = digest(match[1]);
    let valid = false;
    for (const known of this.tokenDigests) valid = timingSafeEqual(presented, known) || valid;
    if (!valid) throw new UnauthorizedException('the bearer token is not valid');
    return true;
  }
}
