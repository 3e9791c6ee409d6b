/**
 * The node URLs of `RABBITMQ_URL`: one URL, or several separated by commas (the nodes of a
 * cluster), in the order they are tried.
 */
export function brokerUrls(value: string | readonly string[]): string[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  return list.map((url) => url.trim()).filter((url) => url.length > 0);
}

/** Where a URL's credentials are hidden, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
