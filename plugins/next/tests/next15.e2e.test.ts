/** @cairn/next end to end on Next 15, the oldest major of its peer range: see next-suite.ts. */
import { installFixture, NEXT_15 } from './next-app.ts';
import { nextSuite } from './next-suite.ts';

nextSuite('Next 15', () => installFixture(NEXT_15));
