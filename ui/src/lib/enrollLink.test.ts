import { describe, expect, it } from 'vitest';
import { parseEnrollLink } from './enrollLink';

describe('parseEnrollLink', () => {
  it('reads the link the console encodes', () => {
    // The same example as the console's own test (views/people.rs).
    expect(
      parseEnrollLink('shumari://enroll?registry=https%3A%2F%2Fregistry.example%3A8443%2F&code=ABCD-EFGH-JKMN'),
    ).toEqual({ registry: 'https://registry.example:8443/', code: 'ABCD-EFGH-JKMN' });
  });

  it('leaves anything else alone', () => {
    expect(parseEnrollLink('http://127.0.0.1:8700')).toBeNull();
    expect(parseEnrollLink('ABCD-EFGH-JKMN')).toBeNull();
    expect(parseEnrollLink('shumari://enroll?registry=javascript%3Aalert(1)&code=X')).toBeNull();
    expect(parseEnrollLink('shumari://enroll?registry=http%3A%2F%2Fh')).toBeNull();
  });
});
