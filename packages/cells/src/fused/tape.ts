import { WasmHeap } from './heap';
import { FusedPlan, tapeAuxFloats } from './plan';

/**
 * What the backward kernel of one layer-direction call reads, kept in WebAssembly memory
 * between forward and backward (no copies through JavaScript): the activations `[T, B, G*H]`
 * (overwritten with the gradient of the projected input by backward), the per-step states
 * (`aux`, see `tapeAuxFloats`), a copy of W_hh and the lengths; for a call that projects a
 * dense input itself (`plan.input` > 0), that input `[T, B, I]` (written there once, by
 * forward: the kernel projects it from there) and a copy of W_ih `[G*H, I]`.
 *
 * A forward-only tape (`forwardOnly`, for a call without gradients: no backward follows) keeps
 * what the recurrence itself needs: the projected input, W_hh, the lengths, and each `aux`
 * region as two `[B, H]` slots that the steps use in turn (the kernels' P_NO_TAPE).
 */
export class Tape {
  /** Byte offsets of the regions (0 = none). */
  acts = 0;
  aux: number[] = [];
  whh = 0;
  lengths = 0;
  /** The dense input `[T, B, I]` and W_ih `[G*H, I]` (0 when the projected input is given). */
  x = 0;
  wih = 0;
  bytes = 0;
  /** Allocated for a forward pass only: `aux` regions are `[2, B, H]`; backward cannot run on it. */
  forwardOnly = false;
  /** False once released (consumed by backward, or evicted): backward must recompute it. */
  alive = false;
}

/**
 * The tapes alive in one heap. Each lives from its forward until its backward has run; tapes
 * whose backward never comes (a forward with gradients on whose loss is never
 * back-propagated) are evicted, oldest first, when the live bytes would pass `budgetBytes`.
 * An evicted tape is recomputed from the node's inputs if its backward does come, so
 * eviction costs time, never correctness.
 */
export class TapePool {
  private readonly live: Tape[] = [];
  private liveBytes = 0;

  constructor(private readonly heap: WasmHeap, private readonly budgetBytes: number) {}

  /**
   * Allocates the regions of a tape for `plan` (evicting old tapes as needed); `forwardOnly`:
   * for a forward pass no backward follows (see {@link Tape}).
   */
  allocate(plan: FusedPlan, withLengths: boolean, forwardOnly = false): Tape {
    const tape = new Tape();
    tape.forwardOnly = forwardOnly;
    const actsFloats = plan.steps * plan.batch * plan.width;
    const aux = tapeAuxFloats(plan, forwardOnly);
    const whhFloats = plan.diagonal ? plan.hidden : plan.width * plan.hidden;
    const xFloats = plan.steps * plan.batch * plan.input;
    const wihFloats = plan.width * plan.input;
    tape.bytes = 4 * (actsFloats + aux.reduce((a, b) => a + b, 0) + whhFloats + plan.batch + xFloats + wihFloats);
    while (this.live.length > 0 && this.liveBytes + tape.bytes > this.budgetBytes) this.release(this.live[0]);
    try {
      tape.acts = this.heap.alloc(actsFloats * 4);
      for (const floats of aux) tape.aux.push(this.heap.alloc(floats * 4));
      tape.whh = this.heap.alloc(whhFloats * 4);
      tape.lengths = withLengths ? this.heap.alloc(plan.batch * 4) : 0;
      if (plan.input > 0) {
        tape.x = this.heap.alloc(xFloats * 4);
        tape.wih = this.heap.alloc(wihFloats * 4);
      }
    } catch (err) {
      this.freeRegions(tape);
      throw err;
    }
    tape.alive = true;
    return tape;
  }

  /** Keeps `tape` until `release` (or eviction). */
  keep(tape: Tape): void {
    this.live.push(tape);
    this.liveBytes += tape.bytes;
  }

  /** Frees a tape's regions; it is no longer alive. */
  release(tape: Tape): void {
    const i = this.live.indexOf(tape);
    if (i >= 0) {
      this.live.splice(i, 1);
      this.liveBytes -= tape.bytes;
    }
    this.freeRegions(tape);
  }

  /** Number of tapes kept (for tests). */
  get liveCount(): number {
    return this.live.length;
  }

  private freeRegions(tape: Tape): void {
    if (!tape.alive && tape.acts === 0) return;
    this.heap.free(tape.acts);
    for (const p of tape.aux) this.heap.free(p);
    this.heap.free(tape.whh);
    this.heap.free(tape.lengths);
    this.heap.free(tape.x);
    this.heap.free(tape.wih);
    tape.x = 0;
    tape.wih = 0;
    tape.acts = 0;
    tape.aux = [];
    tape.whh = 0;
    tape.lengths = 0;
    tape.forwardOnly = false;
    tape.alive = false;
  }
}
