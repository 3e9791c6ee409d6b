import { expect } from 'chai';
import { decades, validateGame, type GameFormValues } from '../src/lib/validation.js';

const valid: GameFormValues = {
  title: 'Metroid',
  platformId: '1',
  genreId: '3',
  developer: 'Nintendo',
  releaseYear: '1986',
  description: 'Samus explores planet Zebes.',
  imageUrl: '',
};
const at2026 = new Date('2026-06-01T12:00:00Z');
const fieldsOf = (values: Partial<GameFormValues>) =>
  validateGame({ ...valid, ...values }, at2026).map((e) => e.field);

describe('game form validation (the server rules, checked in the browser)', () => {
  it('accepts a complete game, with or without an image URL', () => {
    expect(fieldsOf({})).to.deep.equal([]);
    expect(fieldsOf({ imageUrl: 'https://example.com/metroid.png' })).to.deep.equal([]);
  });

  it('requires title, platform, genre, developer, year and description', () => {
    const blank = {
      title: ' ',
      platformId: '',
      genreId: '',
      developer: '',
      releaseYear: '',
      description: '\n',
    };
    expect(fieldsOf(blank)).to.deep.equal([
      'title',
      'platformId',
      'genreId',
      'developer',
      'releaseYear',
      'description',
    ]);
  });

  it('limits title and developer to 100 and description to 5000 characters, after trimming', () => {
    expect(fieldsOf({ title: 'x'.repeat(100), developer: ` ${'y'.repeat(100)} ` })).to.deep.equal(
      [],
    );
    expect(fieldsOf({ title: 'x'.repeat(101), developer: 'y'.repeat(101) })).to.deep.equal([
      'title',
      'developer',
    ]);
    expect(fieldsOf({ description: 'z'.repeat(5000) })).to.deep.equal([]);
    expect(fieldsOf({ description: 'z'.repeat(5001) })).to.deep.equal(['description']);
  });

  it('takes release years from 1950 to next year only, as whole numbers', () => {
    for (const year of ['1950', '2027'])
      expect(fieldsOf({ releaseYear: year }), year).to.deep.equal([]);
    for (const year of ['1949', '2028', '1990.5', '19a0', '-1990']) {
      expect(fieldsOf({ releaseYear: year }), year).to.deep.equal(['releaseYear']);
    }
  });

  it('takes only http(s) image URLs of at most 255 characters', () => {
    for (const url of [
      'javascript:alert(1)',
      'ftp://example.com/a.png',
      'not a url',
      'data:image/png;base64,AA',
    ]) {
      expect(fieldsOf({ imageUrl: url }), url).to.deep.equal(['imageUrl']);
    }
    const long = `https://example.com/${'a'.repeat(236)}`;
    expect(long).to.have.length(256);
    expect(fieldsOf({ imageUrl: long })).to.deep.equal(['imageUrl']);
    expect(fieldsOf({ imageUrl: long.slice(0, 255) })).to.deep.equal([]);
  });

  it('offers every decade from the 1950s to the current one as a filter', () => {
    expect(decades(at2026)).to.deep.equal([
      '1950s',
      '1960s',
      '1970s',
      '1980s',
      '1990s',
      '2000s',
      '2010s',
      '2020s',
    ]);
  });
});
