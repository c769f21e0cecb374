import { describe, expect, it } from 'vitest';
import { parseAddresses } from '../../console/src/screens/addresses.js';

describe('pasted invite addresses', () => {
  it('splits on commas, semicolons, spaces and new lines and drops display names', () => {
    expect(
      parseAddresses(
        'a@x.test, b@x.test\nAnn Lee <c@x.test>; "Bo Jr" <d@x.test>  e@x.test f@x.test',
      ),
    ).toEqual(['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test', 'e@x.test', 'f@x.test']);
  });

  it('keeps a malformed entry so the API reports it as invalid', () => {
    expect(parseAddresses('not-an-address, <g@x.test>')).toEqual(['not-an-address', 'g@x.test']);
  });
});
