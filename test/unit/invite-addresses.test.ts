/** Parsing bulk invite address lists: separators, normalization, dedupe, validation and limits. */
import { describe, expect, it } from 'vitest';
import { InvalidError } from '#shared/errors/domain-errors.js';
import { splitAddressList } from '#shared/invites/address-list.js';
import { parseAddresses } from '#shared/invites/invite-addresses.js';

describe('parseAddresses', () => {
  it('splits one string on commas, spaces, semicolons and newlines', () => {
    expect(parseAddresses('a@x.io, b@x.io\nc@x.io d@x.io;e@x.io').map((a) => a.email)).toEqual([
      'a@x.io',
      'b@x.io',
      'c@x.io',
      'd@x.io',
      'e@x.io',
    ]);
  });

  it('normalizes case and whitespace and dedupes in input order', () => {
    expect(parseAddresses([' Ann@X.io ', 'ann@x.io', 'bob@x.io'])).toEqual([
      { email: 'ann@x.io', valid: true },
      { email: 'bob@x.io', valid: true },
    ]);
  });

  it('marks bad addresses invalid without failing the batch', () => {
    expect(parseAddresses(['ok@x.io', 'nope', 'a@b', 'x@y..io', '<x@y.io>'])).toEqual([
      { email: 'ok@x.io', valid: true },
      { email: 'nope', valid: false },
      { email: 'a@b', valid: false },
      { email: 'x@y..io', valid: false },
      { email: '<x@y.io>', valid: false },
    ]);
  });

  it('rejects more than 100 addresses naming body.emails', () => {
    const emails = Array.from({ length: 101 }, (_, i) => `u${i}@x.io`);
    expect(() => parseAddresses(emails)).toThrow(InvalidError);
    try {
      parseAddresses(emails);
    } catch (error) {
      expect((error as InvalidError).errors).toEqual([
        { path: 'body.emails', message: expect.any(String) },
      ]);
    }
    expect(parseAddresses(emails.slice(0, 100))).toHaveLength(100);
  });

  it('rejects CR/LF inside an array entry as header injection', () => {
    expect(() => parseAddresses(['a@x.io\r\nBcc: evil@x.io'])).toThrow(/line break/);
  });

  it('rejects an empty list', () => {
    expect(() => parseAddresses(' , \n')).toThrow(InvalidError);
  });
});

describe('splitAddressList (the API string form and the console share it)', () => {
  it('splits on commas, semicolons, spaces and new lines and drops display names', () => {
    expect(
      splitAddressList(
        'a@x.test, b@x.test\nAnn Lee <c@x.test>; "Bo Jr" <d@x.test>  e@x.test f@x.test',
      ),
    ).toEqual(['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test', 'e@x.test', 'f@x.test']);
  });

  it('keeps a comma inside a quoted display name from splitting it', () => {
    expect(splitAddressList('"Lee, Ann" <a@x.test>, b@x.test')).toEqual(['a@x.test', 'b@x.test']);
  });

  it('keeps a malformed entry so the API reports it as invalid', () => {
    expect(splitAddressList('not-an-address, <g@x.test>')).toEqual(['not-an-address', 'g@x.test']);
  });
});

describe('parseAddresses of a string with display names', () => {
  it('never takes the words of a display name for addresses', () => {
    expect(parseAddresses('Ann Lee <A@b.io>, b@c.io')).toEqual([
      { email: 'a@b.io', valid: true },
      { email: 'b@c.io', valid: true },
    ]);
  });
});
