import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ExtensionExists, NotFound } from '../domain/errors';
import { HttpError, toErrorResponse } from './errors';
import { parseJsonBody, validate } from './validation';

describe('the error envelope', () => {
  it('hides an unexpected error behind 500 internal_error', () => {
    const failure = new TypeError('Cannot read properties of undefined (reading "secret") at /srv/app.js:1:2');
    const { status, body } = toErrorResponse(failure, 'req_1');
    expect(status).toBe(500);
    expect(body.error.code).toBe('internal_error');
    expect(JSON.stringify(body)).not.toMatch(/secret|app\.js|TypeError/);
  });

  it('maps domain errors to their status and code', () => {
    expect(toErrorResponse(new NotFound('tenant'), 'req_1')).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'tenant not found', requestId: 'req_1', details: [] } } });
    expect(toErrorResponse(new ExtensionExists('101'), 'req_1').status).toBe(409);
    expect(toErrorResponse(new HttpError('unauthenticated', 'no key'), 'req_1').body.error.code).toBe('unauthenticated');
  });
});

describe('validation', () => {
  const Schema = z.strictObject({ name: z.string(), inner: z.strictObject({ n: z.number() }) });

  it('names nested and unknown fields with dotted paths', () => {
    try {
      validate(Schema, { name: 1, inner: { n: 'x', extra: true }, stray: 1 }, 'body');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HttpError);
      const fields = (error as HttpError).details.map((d) => d.field).sort();
      expect(fields).toEqual(['inner.extra', 'inner.n', 'name', 'stray']);
    }
  });

  it('prefixes query fields', () => {
    expect(() => validate(z.object({ limit: z.coerce.number().min(1) }), { limit: '0' }, 'query')).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ field: 'query.limit' })] }),
    );
  });

  it('treats an empty body as an empty object and bad JSON as a validation_error on the body', () => {
    expect(parseJsonBody('  ')).toEqual({});
    expect(() => parseJsonBody('{')).toThrow(
      expect.objectContaining({ code: 'validation_error', status: 400, details: [{ field: 'body', issue: expect.stringMatching(/^malformed JSON: /) }] }),
    );
  });
});
