import * as path from 'path';
import { createSharedMemory, loadWasmBuild } from './builds';
import { ThreadTeam } from './team';
import { wasmFolder } from './wasm-folder';

/** Control words of the test's job: SEQ, READY, SLEEP, a counter the helper adds to, and the amount. */
const WORDS = { seq: 0, ready: 1, sleep: 2 };
const COUNTER = 3;
const AMOUNT = 4;

/** A job that adds AMOUNT to COUNTER (in the helper), then waits for the next. */
const ADD_SERVE = `(ex, ctl, seen, spin) => {
  for (;;) {
    let seq = Atomics.load(ctl, 0);
    for (let i = 0; seq >= 0 && (seq === seen || seq % 2 === 1) && i < spin; i++) seq = Atomics.load(ctl, 0);
    if (seq < 0) return -1;
    if (seq === seen || seq % 2 === 1) return seen;
    seen = seq;
    Atomics.add(ctl, ${COUNTER}, Atomics.load(ctl, ${AMOUNT}));
    Atomics.notify(ctl, ${COUNTER});
  }
}`;

function newTeam(helpers: number): { team: ThreadTeam; control: Int32Array } {
  const module = loadWasmBuild(wasmFolder(path.resolve(__dirname, '..', '..', 'wasm')), 'simd', true);
  const control = new Int32Array(new SharedArrayBuffer(8 * 4));
  const team = new ThreadTeam({ module, memory: createSharedMemory(1), helpers, control, words: WORDS, serve: ADD_SERVE, spin: 1000, name: 'test helper' });
  return { team, control };
}

/** Waits (up to `ms`) until the counter reaches `value`. */
function waitForCounter(control: Int32Array, value: number, ms: number): boolean {
  const deadline = Date.now() + ms;
  for (let now = Atomics.load(control, COUNTER); now !== value; now = Atomics.load(control, COUNTER)) {
    if (Date.now() > deadline) return false;
    Atomics.wait(control, COUNTER, now, 10);
  }
  return true;
}

describe('ThreadTeam', () => {
  it('starts its helpers, which serve posted jobs', () => {
    const { team, control } = newTeam(2);
    try {
      expect(team.waitUntilReady(10000)).toBe(true);
      expect(team.started).toBe(2);
      const seq = team.beginJob();
      expect(Atomics.load(control, WORDS.seq)).toBe(seq - 1); // odd while the job is written
      control[AMOUNT] = 5;
      team.publishJob(seq);
      expect(Atomics.load(control, WORDS.seq)).toBe(seq);
      expect(waitForCounter(control, 10, 5000)).toBe(true); // each helper ran it once
    } finally {
      team.close();
    }
  });

  it('wakes a sleeping helper when a job is posted (not by its 1 s wait timeout)', () => {
    const { team, control } = newTeam(1);
    try {
      expect(team.waitUntilReady(10000)).toBe(true);
      const deadline = Date.now() + 5000;
      while (!team.sleeping && Date.now() < deadline) Atomics.wait(control, 7, 0, 1);
      expect(team.sleeping).toBe(true);
      control[AMOUNT] = 1;
      const posted = Date.now();
      team.publishJob(team.beginJob());
      expect(waitForCounter(control, 1, 5000)).toBe(true);
      expect(Date.now() - posted).toBeLessThan(400);
    } finally {
      team.close();
    }
  });

  it('stops: closed, no longer ready, SEQ negative', () => {
    const { team, control } = newTeam(1);
    team.waitUntilReady(10000);
    team.close();
    team.close(); // twice is fine
    expect(team.closed).toBe(true);
    expect(team.ready).toBe(false);
    expect(team.waitUntilReady(10)).toBe(false);
    expect(Atomics.load(control, WORDS.seq)).toBe(-1);
  });
});
