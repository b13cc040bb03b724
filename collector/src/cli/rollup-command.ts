/** `cairn rollup`: every closed day rolled up now, by the admin app (admin-call.ts). */
import type { RollupReport } from '../rollup/rollup-job.ts';
import type { Command } from './command.ts';

export const rollupCommand: Command = {
  name: 'rollup',
  usage: 'cairn rollup',
  summary: ['roll up every closed day now (the server does it every minute)'],
  async run({ admin }) {
    const report = await admin.request<RollupReport>('POST', '/rollups');
    console.log(report.days === 0 ? 'Every closed day is rolled up already.' : `Rolled up ${report.days} day(s) of ${report.sites} site(s) in ${(report.ms / 1000).toFixed(1)} s.`);
  },
};
