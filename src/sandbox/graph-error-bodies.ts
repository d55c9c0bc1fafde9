/**
 * Facebook's error bodies as the Graph API sends them:
 * `{error: {message, type, code, error_subcode?, fbtrace_id}}` with its HTTP status.
 */
import { randomBytes } from 'node:crypto';

export interface GraphErrorSpec {
  code: number;
  subcode?: number;
  message?: string;
  type?: string;
  httpStatus?: number;
}

export interface GraphErrorAnswer {
  status: number;
  body: { error: Record<string, unknown> };
}

const DEFAULT_MESSAGES: Record<string, string> = {
  '1': 'An unknown error occurred',
  '2': 'An unexpected error has occurred. Please retry your request later.',
  '4': '(#4) Application request limit reached',
  '4/2018354':
    '(#4) This message cannot be sent: the person has received too many messages from this Page.',
  '9/2018352': '(#9) This Page has reached its messaging frequency limit for this person.',
  '10': '(#10) Application does not have permission for this action',
  '10/2018108': "(#10) This person isn't receiving messages from you right now.",
  '10/2018278':
    '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
  '10/2018065': '(#10) This message is sent outside of allowed window.',
  '10/1893063': '(#10) This Page is restricted from sending messages.',
  '17': '(#17) User request limit reached',
  '32': '(#32) Page request limit reached',
  '100': '(#100) Invalid parameter',
  '100/2018001': '(#100) No matching user found',
  '190': 'Invalid OAuth access token - Cannot parse access token',
  '200': '(#200) Requires pages_messaging permission to manage the object',
  '200/1545041': "(#200) This person isn't available right now.",
  '368': '(#368) The action attempted has been deemed abusive or is otherwise disallowed',
  '551': "(#551) This person isn't available right now.",
  '613': '(#613) Calls to this api have exceeded the rate limit.',
  '1200': 'Temporary send message failure. Please try again later',
  '2500': 'An active access token must be used to query information about the current user.',
  '80006':
    '(#80006) There have been too many messages sent to this Messenger account. Please wait a while before sending more.',
};

const TRANSIENT = new Set([1, 2, 1200]);

export function fbtraceId(): string {
  return randomBytes(8).toString('base64').replace(/[+/=]/g, 'A');
}

export function graphErrorAnswer(spec: GraphErrorSpec): GraphErrorAnswer {
  const key = spec.subcode === undefined ? String(spec.code) : `${spec.code}/${spec.subcode}`;
  const message =
    spec.message ??
    DEFAULT_MESSAGES[key] ??
    DEFAULT_MESSAGES[String(spec.code)] ??
    `(#${spec.code}) Error`;
  return {
    status: spec.httpStatus ?? (TRANSIENT.has(spec.code) ? 500 : 400),
    body: {
      error: {
        message,
        type: spec.type ?? 'OAuthException',
        code: spec.code,
        ...(spec.subcode !== undefined ? { error_subcode: spec.subcode } : {}),
        ...(TRANSIENT.has(spec.code) ? { is_transient: true } : {}),
        fbtrace_id: fbtraceId(),
      },
    },
  };
}

/** A Graph error as Facebook words most of them: `(#code) words`. */
export function graphError(code: number, words: string, subcode?: number): GraphErrorSpec {
  return { code, subcode, message: `(#${code}) ${words}` };
}

/** A parameter error, as Facebook words them: `(#100) …`. */
export const invalidParameter = (message: string, subcode?: number): GraphErrorSpec =>
  graphError(100, message, subcode);

/** A refusal of the call itself (appsecret_proof): a GraphMethodException, without the `(#100)` prefix. */
export function graphMethodException(message: string): GraphErrorSpec {
  return { code: 100, type: 'GraphMethodException', message };
}
