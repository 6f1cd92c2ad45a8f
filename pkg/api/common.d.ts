/** Headers as the core accepts them. */
export type HeadersInput = Headers | Record<string, string | string[] | undefined> | [string, string][];
/** A request for the host to send: the core never performs I/O. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
}
