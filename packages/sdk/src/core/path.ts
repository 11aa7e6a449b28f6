/**
 * Builds a URL path with every interpolated value percent-encoded, so an id can never smuggle a
 * `/` or `?` into the route: path`/v1/tenants/${id}/extensions`. `.` and `..` survive
 * percent-encoding and would be resolved by URL parsing, and an empty segment would collapse the
 * route, so those are refused before anything is sent.
 */
export function path(strings: TemplateStringsArray, ...segments: string[]): string {
  return strings.reduce((out, literal, i) => {
    if (i >= segments.length) return out + literal;
    const segment = segments[i]!;
    if (segment === '' || segment === '.' || segment === '..') {
      throw new TypeError(`invalid id ${JSON.stringify(segment)} in path ${strings.join('{id}')}`);
    }
    return out + literal + encodeURIComponent(segment);
  }, '');
}
