import { expect } from 'chai';
import { gameTerms, searchTokens, TERM_MAX, titleWords } from '../src/search-terms.js';

const terms = (title: string, developer = 'Dev') =>
  gameTerms(title, developer)
    .filter((t) => t.field === 1)
    .map((t) => t.term);

describe('the word index: cutting titles and searches into terms', () => {
  it('keeps two-letter words, roman numerals and digits that FULLTEXT would drop', () => {
    expect(terms('Ys II')).to.deep.equal(['ys', 'ii']);
    expect(terms('Street Fighter II')).to.deep.equal(['street', 'fighter', 'ii']);
    expect(terms('Super Mario 64')).to.deep.equal(['super', 'mario', '64']);
  });

  it('stores a hyphenated word by its parts and joined, and the hyphen as a symbol', () => {
    expect(terms('F-Zero')).to.deep.equal(['f', 'zero', 'fzero', '-']);
    expect(searchTokens('F-Zero')).to.deep.equal([{ term: 'fzero', prefix: true }]);
    expect(searchTokens('r type')).to.deep.equal([
      { term: 'r', prefix: false },
      { term: 'type', prefix: true },
    ]);
  });

  it('folds case, accents and full-width forms', () => {
    expect(terms('Pokémon ＲＥＤ')).to.deep.equal(['pokemon', 'red']);
    expect(searchTokens('POKÉMON')).to.deep.equal([{ term: 'pokemon', prefix: true }]);
  });

  it('makes each symbol a term, and looks symbols up only when the search has no word', () => {
    expect(terms("100% snake_case 'Quotes' \\")).to.include.members(['100', '%', '_', "'", '\\']);
    expect(searchTokens('%')).to.deep.equal([{ term: '%', prefix: false }]);
    expect(searchTokens('100%')).to.deep.equal([{ term: '100', prefix: true }]);
    expect(searchTokens('  ')).to.deep.equal([]);
  });

  it('cuts unspaced scripts into characters, looked up whole', () => {
    // the voiced mark of ビ is dropped with the other accents
    expect(terms('カービィ')).to.deep.equal(['カ', 'ー', 'ヒ', 'ィ']);
    expect(searchTokens('カービィ').map((t) => t.prefix)).to.deep.equal([
      false,
      false,
      false,
      false,
    ]);
    expect(searchTokens('クエスト').every((t) => !t.prefix && [...t.term].length === 1)).to.equal(
      true,
    );
  });

  it('clips long words, counts title words and keeps each term once per field', () => {
    const long = 'x'.repeat(50);
    expect(terms(long)).to.deep.equal(['x'.repeat(TERM_MAX)]);
    expect(titleWords('The Legend of Zelda')).to.equal(4);
    const all = gameTerms('Doom Doom', 'Doom Works');
    expect(all).to.deep.equal([
      { term: 'doom', field: 1, pos: 0 },
      { term: 'doom', field: 2, pos: 0 },
      { term: 'works', field: 2, pos: 1 },
    ]);
  });
});
