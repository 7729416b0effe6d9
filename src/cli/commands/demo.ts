/**
 * `workledger demo [--nodes N] [--epochs M] [--out DIR] [--rpc URL] [--seed TEXT]
 * [--serve [--port 8080] [--rpc-port 8545] [--host 127.0.0.1]]`: the SDK's demo (src/demo) on the
 * embedded chain or any RPC. The deployer is WORKLEDGER_PRIVATE_KEY, else the node's first unlocked
 * account. With --serve, once every report is written and verified, the embedded chain stays up
 * behind a loopback JSON-RPC (--rpc-port; none on an external --rpc chain) together with the API and
 * dashboard over the demo's index, which keeps following the chain, until Ctrl-C (SIGINT/SIGTERM:
 * everything is closed and the exit code is 0). The summary is printed first, then the URLs (stderr).
 */
import path from "path";

import { InvalidInputError } from "../../index";
import { assertPortFree, runDemo, serveDemo } from "../../testing";
import { CliContext } from "../context";
import { CommandOutput, makeLogger, printOutput } from "../output";
import { parsePort, parsePositiveInt } from "../parse";
import { PRIVATE_KEY_ENV } from "../keys";

interface DemoFlags {
  nodes?: string;
  epochs?: string;
  out?: string;
  seed?: string;
  serve?: boolean;
  port?: string;
  rpcPort?: string;
  host?: string;
}

/** assertPortFree, its refusal naming the flag that picks another port. */
async function portFree(host: string, port: number, flag: string): Promise<void> {
  try {
    await assertPortFree(host, port);
  } catch (e) {
    if ((e as { code?: string }).code === "E_PORT_IN_USE") throw new InvalidInputError(`${(e as Error).message} (${flag})`, { cause: e });
    throw e;
  }
}

/** Resolves with the signal that asks to stop (SIGINT, SIGTERM), or when `following` ends; rejects when it fails. */
function untilStopped(following: Promise<unknown>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const stop = (why: string) => {
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
      resolve(why);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    following.then(
      () => stop("the index stopped following"),
      (e: unknown) => {
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export async function demoCommand(ctx: CliContext, o: DemoFlags): Promise<CommandOutput> {
  const nodes = parsePositiveInt(o.nodes ?? "50", "--nodes", 5000);
  const epochs = parsePositiveInt(o.epochs ?? "24", "--epochs", 1000);
  if (nodes < 3) throw new InvalidInputError("--nodes must be at least 3 (a flaky node, a late joiner and the rest)");
  if (epochs < 4) throw new InvalidInputError("--epochs must be at least 4 (an outage, a challenge and a pending last epoch)");
  if (!o.serve) {
    for (const [flag, v] of [["--port", o.port], ["--rpc-port", o.rpcPort], ["--host", o.host]] as const) if (v !== undefined) throw new InvalidInputError(`${flag} needs --serve`);
  }
  const port = parsePort(o.port ?? "8080", "--port");
  const rpcPort = parsePort(o.rpcPort ?? "8545", "--rpc-port");
  const host = o.host ?? "127.0.0.1";
  if (host.trim() === "") throw new InvalidInputError("--host must name an interface, e.g. 127.0.0.1");
  const out = path.resolve(o.out ?? "./workledger-demo");
  const chain = await ctx.chain();
  if (o.serve && !chain.embedded && o.rpcPort !== undefined) throw new InvalidInputError(`--rpc-port opens a loopback JSON-RPC of the embedded chain: drop it with --rpc ${chain.url}`);
  if (o.serve) {
    // a taken port is refused now, not after the whole demo
    if (port !== 0 && port === rpcPort && chain.embedded) throw new InvalidInputError(`--port and --rpc-port are both ${port}: pick two ports`);
    await portFree(host, port, "--port");
    if (chain.embedded) await portFree(host, rpcPort, "--rpc-port");
  }
  const deployer = process.env[PRIVATE_KEY_ENV] ? await ctx.signer() : await chain.unlockedSigner(0);
  if (!deployer) throw new InvalidInputError(`${chain.url} has no unlocked account: set ${PRIVATE_KEY_ENV} to a funded key`);
  const r = await runDemo(chain, deployer, { nodes, epochs, out, seed: o.seed ?? "workledger-demo", serve: Boolean(o.serve) }, { log: (m) => ctx.log.info(m), progress: ctx.progress });
  if (!o.serve) return { data: r.data, lines: r.lines, exitCode: r.ok ? 0 : 1 };
  if (!r.ok) return { data: r.data, lines: [...r.lines, "", "not serving: a report did not verify against the chain"], exitCode: 1 };

  // --serve: the summary now (the command returns only at Ctrl-C), then the URLs on stderr, always.
  if (!ctx.json) printOutput({ data: r.data, lines: [...r.lines, ""] }, false);
  const banner = makeLogger(true);
  const d = r.data as { networkId: number; deployment: Parameters<typeof serveDemo>[0]["deployment"]; headline: { finalizedCount: number; challengedEpoch: number | null } };
  // The sample proof: a Final epoch that was not challenged (epoch 0 unless that one was).
  const sampleEpoch = d.headline.challengedEpoch === 0 && d.headline.finalizedCount > 1 ? 1 : 0;
  const served = await serveDemo({ out, chain, deployment: d.deployment, networkId: d.networkId, sampleEpoch, host, port, rpcPort, log: (m) => ctx.log.info(m) });
  banner.info(served.lines.join("\n"));
  let signal: string;
  try {
    signal = await untilStopped(served.following);
  } finally {
    await served.close();
  }
  const closed = served.loopback ? "the API and the loopback JSON-RPC" : "the API";
  banner.info(`stopped (${signal}): closed ${closed}`);
  return { data: { ...r.data, serve: { ...served.data, stoppedBy: signal } }, lines: [], exitCode: 0 };
}
