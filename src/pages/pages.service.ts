import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ApiError } from '../common/api-error';
import { isDuplicateKeyError } from '../common/mongo-errors';
import { SecretBox } from '../common/secret-box';
import type { PageCredentials } from '../messenger/messenger-client.service';
import type { PageView, RegisterPageDto, UpdatePageDto } from './page.dto';
import { Page } from './page.schema';
import { testerProblems } from './testers';

const tokenContext = (pageId: string): string => `page:${pageId}:accessToken`;
const secretContext = (pageId: string): string => `page:${pageId}:appSecret`;

@Injectable()
export class PagesService {
  constructor(
    @InjectModel(Page.name) private readonly pages: Model<Page>,
    private readonly secrets: SecretBox,
  ) {}

  async register(input: RegisterPageDto): Promise<PageView> {
    try {
      const page = await this.pages.create({
        pageId: input.pageId,
        name: input.name,
        accessTokenSealed: this.secrets.seal(input.accessToken, tokenContext(input.pageId)),
        appSecretSealed: input.appSecret
          ? this.secrets.seal(input.appSecret, secretContext(input.pageId))
          : undefined,
      });
      return toView(page);
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        throw ApiError.conflict(
          'page_exists',
          `Page ${input.pageId} is already registered; PATCH it to change it`,
        );
      }
      throw error;
    }
  }

  async list(): Promise<PageView[]> {
    const pages = await this.pages.find().sort({ pageId: 1 }).lean();
    return pages.map(toView);
  }

  async get(pageId: string): Promise<PageView> {
    return toView(await this.find(pageId));
  }

  async update(pageId: string, input: UpdatePageDto): Promise<PageView> {
    const set: Partial<Page> = {};
    const unset: Record<string, 1> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.accessToken !== undefined)
      set.accessTokenSealed = this.secrets.seal(input.accessToken, tokenContext(pageId));
    if (input.appSecret === null) unset.appSecretSealed = 1;
    else if (input.appSecret !== undefined)
      set.appSecretSealed = this.secrets.seal(input.appSecret, secretContext(pageId));
    const page = await this.pages
      .findOneAndUpdate(
        { pageId },
        { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
        { new: true },
      )
      .lean();
    if (!page) throw ApiError.notFound(`Page ${pageId}`);
    return toView(page);
  }

  async testers(pageId: string): Promise<string[]> {
    return (await this.find(pageId)).testers ?? [];
  }

  /** Replaces the Page's testers with `psids`, refused whole (400 naming each bad item) unless every one is fine. */
  async setTesters(pageId: string, psids: readonly unknown[]): Promise<string[]> {
    const problems = testerProblems(psids);
    if (problems.length > 0) throw ApiError.fromProblems(problems);
    const page = await this.pages
      .findOneAndUpdate({ pageId }, { $set: { testers: psids } }, { new: true })
      .lean();
    if (!page) throw ApiError.notFound(`Page ${pageId}`);
    return page.testers;
  }

  /** Decrypted credentials for a Graph call; they live only as long as the call. */
  async credentials(pageId: string): Promise<PageCredentials> {
    const page = await this.find(pageId);
    return {
      pageId,
      accessToken: this.secrets.open(page.accessTokenSealed, tokenContext(pageId)),
      appSecret: page.appSecretSealed
        ? this.secrets.open(page.appSecretSealed, secretContext(pageId))
        : undefined,
    };
  }

  private async find(pageId: string): Promise<Page> {
    const page = await this.pages.findOne({ pageId }).lean();
    if (!page) throw ApiError.notFound(`Page ${pageId}`);
    return page;
  }
}

function toView(page: Page): PageView {
  return {
    pageId: page.pageId,
    name: page.name,
    hasAppSecret: Boolean(page.appSecretSealed),
    createdAt: page.createdAt,
    updatedAt: page.updatedAt,
  };
}
