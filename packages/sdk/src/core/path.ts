/**
 * Builds a URL path with every interpolated value percent-encoded, so an id can never smuggle a
 * `/`, `?` or `..` into the route: path`/v1/tenants/${id}/extensions`.
 */
export function path(strings: TemplateStringsArray, ...segments: string[]): string {
  return strings.reduce((out, literal, i) => out + literal + (i < segments.length ? encodeURIComponent(segments[i]!) : ''), '');
}
