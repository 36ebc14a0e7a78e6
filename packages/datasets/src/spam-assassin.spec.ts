import { lastValueFrom, take, toArray, count } from 'rxjs';
import { bodyKey, loadSpamAssassin, spamAssassin$, spamAssassinInfo, splitHeaders } from './spam-assassin';
import { groupedSplit } from '@loopflow/data';

describe('splitHeaders', () => {
  it('splits at the first empty line, with \\n or \\r\\n', () => {
    expect(splitHeaders('Subject: hi\nTo: a\n\nHello\n\nagain')).toEqual({ headers: 'Subject: hi\nTo: a', body: 'Hello\n\nagain' });
    expect(splitHeaders('A: 1\r\n\r\nbody')).toEqual({ headers: 'A: 1', body: 'body' });
    expect(splitHeaders('A: 1')).toEqual({ headers: 'A: 1', body: '' });
  });
});

describe('loadSpamAssassin (stdlib SpamAssassin corpus)', () => {
  const messages = loadSpamAssassin();

  it('counts 6,046 messages: 4,150 ham and 1,896 spam, by folder', () => {
    expect(messages.length).toBe(6046);
    expect(messages.filter((m) => m.spam).length).toBe(1896);
    expect(messages.filter((m) => !m.spam).length).toBe(4150);
    const byGroup: Record<string, number> = {};
    for (const m of messages) byGroup[m.group] = (byGroup[m.group] ?? 0) + 1;
    expect(byGroup).toEqual({ 'easy-ham-1': 2500, 'easy-ham-2': 1400, 'hard-ham-1': 250, 'spam-1': 500, 'spam-2': 1396 });
    expect(new Set(messages.map((m) => m.id)).size).toBe(6046);
  });

  it('separates headers from bodies: every header line is a field or a continuation', () => {
    const field = /^[!-9;-~]+:/; // RFC 5322 field name then ':'
    for (const m of messages) {
      m.headers.split(/\r?\n/).forEach((line, i) => {
        const ok = (i === 0 && line.startsWith('From ')) || /^[ \t]/.test(line) || field.test(line);
        if (!ok) throw new Error(`${m.id}: header line ${i} is not a header: ${JSON.stringify(line)}`);
      });
      expect(m.body.length).toBeGreaterThan(0);
    }
    // the relaying headers are in the header block, not in the body
    expect(messages.filter((m) => /^Received:/m.test(m.headers)).length).toBe(6046 - 135);
  });

  it('leaves no "Received:" header line in a body, except inside the 12 quoted or bounced messages', () => {
    const withReceived = messages.filter((m) => /^Received:/m.test(m.body)).map((m) => m.id);
    // these bodies quote another message (bounces, forwarded spam, MIME attachments):
    // their own Received lines are all in their headers
    expect(withReceived).toEqual([
      'easy-ham-1/01436', 'easy-ham-1/01542', 'easy-ham-1/01554', 'easy-ham-1/01750',
      'easy-ham-2/00548', 'easy-ham-2/00720', 'easy-ham-2/00721', 'easy-ham-2/01304', 'easy-ham-2/01311',
      'hard-ham-1/00241', 'spam-2/00403', 'spam-2/00692',
    ]);
    for (const m of messages) expect(m.body.startsWith('Received:')).toBe(false);
  });

  it('finds 195 duplicate bodies after trimming (171 byte-exact), never across labels', () => {
    const groups = new Map<string, boolean[]>();
    for (const m of messages) groups.set(bodyKey(m.body), [...(groups.get(bodyKey(m.body)) ?? []), m.spam]);
    expect(messages.length - groups.size).toBe(195);
    expect([...groups.values()].filter((g) => g.length > 1).length).toBe(139);
    expect([...groups.values()].every((g) => new Set(g).size === 1)).toBe(true);
    expect(messages.length - new Set(messages.map((m) => m.body)).size).toBe(171);
  });

  it('a grouped split keeps every duplicate body inside one split', () => {
    const split = groupedSplit(messages, { seed: 7, validation: 0.15, test: 0.15, groupOf: (m) => bodyKey(m.body) });
    const part = new Map<string, string>();
    for (const [name, items] of Object.entries(split)) for (const m of items as typeof messages) {
      const key = bodyKey(m.body);
      expect(part.get(key) ?? name).toBe(name);
      part.set(key, name);
    }
    expect(split.train.length + split.validation.length + split.test.length).toBe(6046);
    expect(split.test.length).toBeGreaterThanOrEqual(907);
  });

  it('streams the same messages one file at a time', async () => {
    const first = await lastValueFrom(spamAssassin$().pipe(take(3), toArray()));
    expect(first).toEqual(messages.slice(0, 3));
    expect(await lastValueFrom(spamAssassin$().pipe(count()))).toBe(6046);
  });

  it('states source and licence from the package\'s metadata', () => {
    const info = spamAssassinInfo();
    expect(info.licence).toBe('PDDL-1.0 AND CC0-1.0');
    expect(info.sources[0]).toContain('spamassassin.apache.org');
  });
});
