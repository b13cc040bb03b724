/** A time zone's offset changes over a span: what adapters need to compute local time cheaply. */
import { DateTime } from 'luxon';

/** UTC offsets (minutes) of a time zone over [from, to): the first offset, then each change and the instant it happens. */
export function offsetsOf(tz: string, from: number, to: number): { offset: number; changes: { at: number; offset: number }[] } {
  const offset = (t: number) => DateTime.fromMillis(t, { zone: tz }).offset;
  const changes: { at: number; offset: number }[] = [];
  const STEP = 6 * 3_600_000;
  for (let t = from; t < to; t += STEP) {
    const end = Math.min(t + STEP, to);
    if (offset(t) === offset(end)) continue;
    // Zones change offset at most once in six hours: find the first millisecond of the new one.
    let [lo, hi] = [t, end];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offset(mid) === offset(t)) lo = mid;
      else hi = mid;
    }
    changes.push({ at: hi, offset: offset(hi) });
  }
  return { offset: offset(from), changes };
}
