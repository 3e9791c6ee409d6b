import { expect } from 'chai';
import { z } from 'zod';
import { AppError } from '../src/errors.js';
import { noQuery, parseQuery } from '../src/query.js';

const schema = z.object({
  genreId: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().max(100).default(10),
});

function refusal(query: Record<string, unknown>, s: z.ZodObject = schema) {
  try {
    parseQuery(s, query);
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    const appError = error as AppError;
    expect(appError).to.include({ status: 400, code: 'VALIDATION_FAILED' });
    return appError.details;
  }
  throw new Error('the query was accepted');
}

describe('parseQuery', () => {
  it('returns the typed parameters, with defaults', () => {
    expect(parseQuery(schema, { genreId: '3' })).to.deep.equal({ genreId: 3, limit: 10 });
    expect(parseQuery(noQuery, {})).to.deep.equal({});
  });

  it('names a parameter the endpoint does not know, and lists the ones it does', () => {
    const [detail] = refusal({ genre: '3' });
    expect(detail).to.deep.equal({
      field: 'genre',
      message: 'is not a parameter of this endpoint (it takes genreId, limit)',
    });
    expect(refusal({ page: '2' }, noQuery)[0]!.message).to.match(/takes none/);
  });

  it('names a parameter given twice, or in array form, instead of keeping one of the values', () => {
    expect(refusal({ genreId: ['1', '2'] })).to.deep.equal([
      { field: 'genreId', message: 'must be given once' },
    ]);
    expect(refusal({ 'genreId[]': ['1', '2'] })[0]!.field).to.equal('genreId[]');
  });

  it('reports every problem at once: unknown, repeated and invalid', () => {
    const fields = refusal({ x: '1', genreId: ['1', '2'], limit: '500' }).map((d) => d.field);
    expect(fields).to.deep.equal(['x', 'genreId', 'limit']);
  });
});
