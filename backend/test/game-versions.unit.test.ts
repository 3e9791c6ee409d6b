import { AppError } from '@retro/common';
import { expect } from 'chai';
import type { Request } from 'express';
import { changedFields, checkVersion } from '../src/domain/game-changes.js';
import { gameETag, ifMatchVersions } from '../src/entry-points/http/game-etag.js';

const withIfMatch = (value?: string) =>
  ({ headers: value === undefined ? {} : { 'if-match': value } }) as Request;

describe('If-Match of a game write', () => {
  it('allows any version without the header or with *', () => {
    expect(ifMatchVersions(withIfMatch(), 7)).to.equal(null);
    expect(ifMatchVersions(withIfMatch(' * '), 7)).to.equal(null);
  });

  it("reads the versions of this game's strong tags and ignores every other tag", () => {
    const header = `${gameETag(7, 3)}, W/"7.4", "8.5", "opaque",, ${gameETag(7, 9)}`;
    expect(ifMatchVersions(withIfMatch(header), 7)).to.deep.equal([3, 9]);
    expect(ifMatchVersions(withIfMatch('"8.5"'), 7)).to.deep.equal([]);
  });

  it('refuses what is not a list of entity tags with a 400 naming the header', () => {
    for (const value of ['7.3', '"7.3', '"7.3" "7.4"', '*, "7.3"', '', ' , ']) {
      let error: unknown;
      try {
        ifMatchVersions(withIfMatch(value), 7);
      } catch (e) {
        error = e;
      }
      expect(error, value).to.be.instanceOf(AppError);
      expect((error as AppError).status, value).to.equal(400);
      expect((error as AppError).details[0]!.field, value).to.equal('If-Match');
    }
  });
});

describe('a game change', () => {
  const fields = {
    title: 'Contra',
    platformId: 1,
    genreId: 3,
    developer: 'Konami',
    releaseYear: 1987,
    yearCategory: '1980s',
    description: 'Run-and-gun.',
    imageUrl: null,
  };

  it('names only the editable fields that changed, before and after', () => {
    expect(
      changedFields(fields, { ...fields, title: 'Super C', imageUrl: 'https://x/y.png' }),
    ).to.deep.equal({
      before: { title: 'Contra', imageUrl: null },
      after: { title: 'Super C', imageUrl: 'https://x/y.png' },
    });
    expect(changedFields(fields, { ...fields })).to.deep.equal({ before: {}, after: {} });
  });

  it('is refused with 412 when the game moved on from every version If-Match names', () => {
    expect(() => checkVersion(5, 2, null)).to.not.throw();
    expect(() => checkVersion(5, 2, [1, 2])).to.not.throw();
    expect(() => checkVersion(5, 2, [1]))
      .to.throw(AppError, 'Game 5 changed since it was read')
      .with.property('status', 412);
    expect(() => checkVersion(5, 2, []))
      .to.throw(AppError)
      .with.property('code', 'PRECONDITION_FAILED');
  });
});
