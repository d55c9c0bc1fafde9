/** The shapes of the REST API's answers that the console reads (see the OpenAPI document at /docs). */

export interface PageView {
  pageId: string;
  name: string;
  [key: string]: unknown;
}
