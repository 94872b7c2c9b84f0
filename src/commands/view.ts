/**
 * `instructforge view DIR`: a local web app over a run directory or a pipeline directory —
 * overview, searchable records, each record's history, rejections, similar pairs, and review
 * marks saved to DIR/review.jsonl. Prints the URL; opens nothing by itself; runs until Ctrl-C.
 */
import type { Command } from "commander";
import { z } from "zod";
import { UserError } from "../errors.js";
import { startViewServer } from "../view/server.js";
import { action } from "./action.js";

export const ViewFlags = z.object({
  host: z.string().min(1),
  port: z.string().optional(),
  token: z.string().optional(),
});
export type ViewFlags = z.infer<typeof ViewFlags>;

export function register(program: Command): void {
  program
    .command("view")
    .description("look at a run in the browser: overview, search, record history, rejections, similar pairs, and mark records good/bad (saved to DIR/review.jsonl)")
    .argument("<dir>", "a run directory (data.jsonl, meta.jsonl, …) or a pipeline directory (NN-<stage>/ sub-directories); live while a run writes it")
    .option("--host <host>", "address to listen on; anything but loopback needs a token", "127.0.0.1")
    .option("--port <n>", "port to listen on (default: a free one)")
    .option("--token <token>", "require this token on every request (generated and put in the URL when --host is not loopback)")
    .action(
      action(async (dir: string, raw: unknown) => {
        const flags = ViewFlags.parse(raw);
        const port = flags.port === undefined ? 0 : Number(flags.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be a whole number from 0 to 65535, got '${flags.port}'`, 2);
        const server = await startViewServer({ dir, host: flags.host, port, token: flags.token, generateToken: true });
        const overview = server.index.stages.map((stage) => `${stage.name} ${stage.kept.count}`).join(", ");
        process.stdout.write(`${server.openUrl}\n`);
        process.stderr.write(`instructforge view: ${dir} (${overview || "no stages yet"}) indexed in ${Math.round(server.indexMs)} ms; open the URL above. Ctrl-C stops.\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            void server.close().then(resolve);
          };
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
      }),
    );
}
