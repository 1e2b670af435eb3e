// Runs one load scenario in this process and prints its result as one JSON line (bench/load.ts starts one
// process per scenario so each gets fresh Lambda containers and its own environment).
import { runScenario, SCENARIOS, type ScenarioName } from '../../harness/load/scenarios.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const scenario = option('--scenario') as ScenarioName;
if (!SCENARIOS.includes(scenario)) {
  console.error(`--scenario must be one of ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
const result = await runScenario({
  scenario,
  notifications: Number(option('--notifications') ?? 1000),
  seed: Number(option('--seed') ?? 7),
  base: new Date(option('--base') ?? new Date().toISOString().slice(0, 10)),
  timeLimitMs: Number(option('--time-limit-s') ?? 900) * 1000,
});
process.stdout.write(`${JSON.stringify(result)}\n`);
