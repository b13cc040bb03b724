/** @cairn/next end to end on Next 16 (the fixture as committed): see next-suite.ts. */
import { installFixture } from './next-app.ts';
import { nextSuite } from './next-suite.ts';

nextSuite('Next 16', () => installFixture());
