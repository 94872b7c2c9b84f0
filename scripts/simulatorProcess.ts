/**
 * The SIMULATOR (a test double) in a child process, for benchmarks: a real endpoint is another
 * process, and keeping the simulator's CPU off the bench's event loop measures only our own cost.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { packageRoot } from "../src/paths.js";

export interface SimulatorProcess {
  url: string;
  child: ChildProcess;
  /** HTTP requests the simulator has received so far. */
  requests(): Promise<number>;
  /** Its `/sim/stats`: what it received, completed, and the most it had in flight at once. */
  stats(): Promise<SimulatorStats>;
  stop(): void;
}

const SimulatorStats = z.object({ requests: z.number(), completed: z.number(), maxInFlight: z.number() });
export type SimulatorStats = z.infer<typeof SimulatorStats>;

export async function startSimulatorProcess(latencyMs: number, seed = 1): Promise<SimulatorProcess> {
  const args = [join(packageRoot, "dist/src/cli.js"), "simulate", "--port", "0", "--seed", String(seed), "--latency-ms", String(latencyMs)];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const url = /https?:\/\/\S+/.exec(firstLine)?.[0];
  if (!url) throw new Error(`no URL on the simulator's first line: ${firstLine}`);
  const stats = async (): Promise<SimulatorStats> => SimulatorStats.parse(await (await fetch(url.replace(/\/v1$/, "/sim/stats"))).json());
  return {
    url,
    child,
    requests: async () => (await stats()).requests,
    stats,
    stop: () => void child.kill("SIGTERM"),
  };
}
