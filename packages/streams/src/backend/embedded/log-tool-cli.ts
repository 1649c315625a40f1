#!/usr/bin/env node
/**
 * `tributary-log check <dataDir>` / `tributary-log repair <dataDir> [--truncate]`: the embedded log's fsck.
 * Exit status: 0 nothing damaged (check) or repaired (repair), 1 damage found (check), 2 usage or I/O error.
 */
import { existsSync } from 'node:fs';
import { checkDataDir, repairDataDir, type DamageReport } from './log-check.js';

const USAGE = `Usage:
  tributary-log check <dataDir>               report damage in the embedded log's files (changes nothing)
  tributary-log repair <dataDir> [--truncate] remove damaged ranges, saving their bytes under <dataDir>/quarantine/,
                                              and report every offset lost; --truncate cuts each damaged partition
                                              at its first damage instead (valid entries after it are quarantined)
No process may have the directory open while repair runs.`;

function describe(d: DamageReport): string {
  return `  ${d.file} bytes ${d.start}..${d.end}: ${d.reason}\n    lost if removed: ${d.lost}`;
}

function main(argv: ReadonlyArray<string>): number {
  const [command, dataDir, ...flags] = argv;
  if ((command !== 'check' && command !== 'repair') || dataDir === undefined || flags.some((f) => f !== '--truncate')) {
    console.error(USAGE);
    return 2;
  }
  if (!existsSync(dataDir)) {
    console.error(`tributary-log: ${dataDir} does not exist`);
    return 2;
  }
  if (command === 'check') {
    const report = checkDataDir(dataDir);
    console.log(`${dataDir}: ${report.partitions} partition(s), ${report.entries} valid entries`);
    for (const note of report.notes) console.log(`  note: ${note}`);
    if (report.damages.length === 0) {
      console.log('no damage found');
      return 0;
    }
    console.log(`${report.damages.length} damaged range(s):`);
    for (const d of report.damages) console.log(describe(d));
    const blocking = report.damages.filter((d) => !d.tornTail).length;
    console.log(
      blocking > 0
        ? `${blocking} of them stop the log from opening. Run \`tributary-log repair ${dataDir}\` (or restore from a backup).`
        : 'Only torn tails (a crash mid-append): the log cuts them itself when it opens.',
    );
    return 1;
  }
  const report = repairDataDir(dataDir, { truncate: flags.includes('--truncate') });
  if (report.repaired.length === 0 && report.notes.length === 0) {
    console.log('no damage found; nothing changed');
    return 0;
  }
  console.log(`repaired ${report.repaired.length} damaged range(s):`);
  for (const d of report.repaired) console.log(describe(d));
  for (const note of report.notes) console.log(`  note: ${note}`);
  if (report.quarantineDir !== undefined) console.log(`removed bytes saved in ${report.quarantineDir}`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(`tributary-log: ${(err as Error).message}`);
  process.exitCode = 2;
}
