import { formatBytes, ltr, maskCnic, visibleRange } from './format';

describe('maskCnic', () => {
  it('lays digits out 5-7-1 as they are typed', () => {
    expect(maskCnic('3')).toBe('3');
    expect(maskCnic('35202')).toBe('35202');
    expect(maskCnic('352021')).toBe('35202-1');
    expect(maskCnic('352021234567')).toBe('35202-1234567');
    expect(maskCnic('3520212345671')).toBe('35202-1234567-1');
  });
  it('drops non-digits and extra digits', () => {
    expect(maskCnic('35202-12a34567-19999')).toBe('35202-1234567-1');
  });
});

describe('visibleRange', () => {
  it('renders only the rows on screen plus overscan for 10,000 rows', () => {
    const r = visibleRange(72 * 5000, 720, 72, 10000, 5);
    expect(r.start).toBe(4995);
    expect(r.end).toBe(5015);
    expect(r.end - r.start).toBeLessThan(40);
  });
  it('clamps at both ends', () => {
    expect(visibleRange(-10, 700, 70, 3)).toEqual({ start: 0, end: 3 });
  });
});

it('formats bytes and isolates numbers', () => {
  expect(formatBytes(512)).toBe('512 B');
  expect(formatBytes(2048)).toBe('2.0 KB');
  expect(ltr(5)).toBe('\u20665\u2069');
});
