import { describe, expect, it } from 'vitest';
import { mapInSlices } from '../../server/event-loop';

describe('per-user work in slices', () => {
  it('lets a waiting request in while a page of 1,000 users is mapped, and keeps the order', async () => {
    let answered = false;
    setImmediate(() => {
      answered = true;
    });
    const answeredBefore: number[] = [];
    const out = await mapInSlices(
      Array.from({ length: 1000 }, (_, i) => i),
      (n, i) => {
        if (answered && answeredBefore.length === 0) answeredBefore.push(i);
        return n * 2 + i;
      },
    );
    // The waiting callback ran after the first slice, long before the last user.
    expect(answeredBefore).toEqual([200]);
    expect(out).toHaveLength(1000);
    expect(out[0]).toBe(0);
    expect(out[999]).toBe(2997);
  });
});
