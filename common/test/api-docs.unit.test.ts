import { createRequire } from 'node:module';
import { expect } from 'chai';
import express from 'express';
import { apiDocs } from '../src/api-docs.js';

describe('apiDocs', () => {
  it('serves Swagger UI without loading its bundle into the server', () => {
    apiDocs(express(), { info: { title: 'Test' } });
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.filter((file) => /swagger-ui-dist[\\/]swagger-ui/.test(file))).to.deep.equal([]);
  });
});
