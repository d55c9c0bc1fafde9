/** Requests of the template routes (SPEC §7); components are checked by the template rules, with field paths. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsIn, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { PageIdParam } from '../common/params';
import { TEMPLATE_LANGUAGE, TEMPLATE_NAME, type TemplateDefinition } from './template-rules';

export class CreateTemplateDto implements TemplateDefinition {
  @ApiProperty({ example: 'order_update' }) @IsString() name!: string;
  @ApiProperty({ example: 'en_US' }) @IsString() language!: string;
  @ApiProperty({ enum: ['UTILITY'] }) @IsIn(['UTILITY']) category!: 'UTILITY';
  @ApiProperty({
    description:
      'HEADER {format: TEXT, text}, BODY {text with {{1}}…, example: {body_text: [[…]]}}, FOOTER {text}, BUTTONS {buttons: [URL | POSTBACK | PHONE_NUMBER]} (at most 3)',
    example: [
      {
        type: 'BODY',
        text: 'Hi {{1}}, order {{2}} has shipped.',
        example: { body_text: [['Ana', 'A-1001']] },
      },
    ],
  })
  @IsArray()
  @IsObject({ each: true })
  components!: Record<string, unknown>[];
}

export class TemplateNameParams extends PageIdParam {
  @ApiProperty({ example: 'order_update' })
  @Matches(TEMPLATE_NAME, { message: 'must be a template name' })
  name!: string;
}

export class TemplateLanguageQuery {
  @ApiPropertyOptional({
    example: 'en_US',
    description: 'needed when the name has several languages',
  })
  @IsOptional()
  @Matches(TEMPLATE_LANGUAGE, { message: 'must be a locale such as en_US' })
  language?: string;
}

export class TemplateListQuery {
  @ApiPropertyOptional({ description: 'true: read every status from Facebook first (a re-sync)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  sync?: 'true' | 'false';
}
