import { describe, expect, it } from 'vitest';
import { newGoal } from './goals.ts';

describe('newGoal', () => {
  it('gives ids a command line never takes for a flag', () => {
    // A bare base64url id starts with "-" once in 64: `cairn goal remove <site> -0Vu…` failed.
    for (let i = 0; i < 500; i++) expect(newGoal({ kind: 'event', match: 'signup' }).id).toMatch(/^g_[A-Za-z0-9_-]{8}$/);
  });

  it('names a goal after what it matches when it has no name, and rejects a page goal that is not a path', () => {
    expect(newGoal({ kind: 'page', match: '/thanks' }).name).toBe('Visit /thanks');
    expect(() => newGoal({ kind: 'page', match: 'thanks' })).toThrow(/starting with \//);
  });

  it('says what is wrong in words a person reads, not the validator\'s', () => {
    expect(() => newGoal({ kind: 'page', match: '  ' })).toThrow("match: a page goal needs a path (e.g. /thanks), an event goal the event's name");
    expect(() => newGoal({ kind: 'page' } as never)).toThrow("match: a page goal needs a path (e.g. /thanks), an event goal the event's name");
    expect(() => newGoal({ kind: 'visit', match: '/a' } as never)).toThrow('kind: page (a page visited) or event (a custom event sent)');
    expect(() => newGoal({ kind: 'event', match: 'signup', revenue: ' ' })).toThrow('revenue: empty: leave it out, or name the prop holding the amount');
    expect(newGoal({ kind: 'event', match: ' signup ' }).match).toBe('signup');
  });
});
