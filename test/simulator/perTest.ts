/** A simulator (test double) started inside one test and closed after it. */
import { afterEach } from "vitest";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../src/simulator/server.js";

/** Call at the top of a test file; the returned function starts this test's simulator. */
export function simulatorPerTest(): (options: SimulatorOptions) => Promise<RunningSimulator> {
  let current: RunningSimulator | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options) => (current = await startSimulator(options));
}
