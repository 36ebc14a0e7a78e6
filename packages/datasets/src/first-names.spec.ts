import { firstNamesInfo, loadFirstNames } from './first-names';

describe('loadFirstNames (stdlib female + male first-name lists)', () => {
  const data = loadFirstNames();

  it('has the lists as shipped: 4,951 female and 3,898 male entries (a few repeat within a list)', () => {
    expect(data.female.length).toBe(4951);
    expect(data.male.length).toBe(3898);
    expect(new Set(data.female).size).toBe(4944);
    expect(new Set(data.male).size).toBe(3897);
  });

  it('merges to 8,422 distinct lower-cased names, 419 of them in both lists', () => {
    expect(data.names.length).toBe(8422);
    expect(data.overlap.length).toBe(419);
    expect(new Set(data.names).size).toBe(data.names.length);
    expect(data.names.every((n) => n === n.toLowerCase())).toBe(true);
    // inclusion-exclusion over the two distinct lists
    expect(data.names.length).toBe(4944 + 3897 - data.overlap.length);
    expect(data.overlap).toContain('abbey'); // in both lists
    expect([...data.names]).toEqual([...data.names].sort());
  });

  it('keeps case with lowerCase: false', () => {
    const raw = loadFirstNames({ lowerCase: false });
    expect(raw.names).toContain('Anne-Marie');
    expect(raw.names.length).toBe(8422); // no two entries differ only by case
  });

  it('states source and licence from the packages\' metadata', () => {
    const info = firstNamesInfo();
    expect(info.licence).toBe('PDDL-1.0 AND CC0-1.0');
    expect(info.sources[0]).toContain('Moby Word II');
    expect(info.version).toBe('0.2.3 + 0.2.3');
  });
});
