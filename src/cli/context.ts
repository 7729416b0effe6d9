/**
 * The per-invocation context a command runs in: its common flags, and the chain, deployment, key,
 * logger and progress bar it needs, each created lazily and in a safe order (flags, deployment
 * file, RPC, chain id, key, simulation, send) so a failure never leaves anything written.
 */
import { Signer } from "ethers";

import { Deployment, IRevenueLedger, IRevenueLedger__factory, IWorkLedger, IWorkLedger__factory, TokenInfo, assertDeployment, assertNetwork, readDeploymentFile, tokenInfo } from "../index";
import { Chain, DEFAULT_RPC, connect } from "./chain";
import { loadSigner } from "./keys";
import { Logger, makeLogger } from "./output";
import { Progress, createProgress, progressEnabled } from "./progress";

/** Flags every command accepts. */
export interface CommonOptions {
  rpc?: string;
  deployment?: string;
  json?: boolean;
  verbose?: boolean;
  dryRun?: boolean;
  keystore?: string;
}

/** Default `--deployment`: `$WORKLEDGER_DEPLOYMENT` or ./deployment.json. */
export function defaultDeploymentPath(): string {
  return process.env.WORKLEDGER_DEPLOYMENT || "deployment.json";
}

export class CliContext {
  readonly opts: CommonOptions;
  readonly log: Logger;
  readonly progress: Progress;
  private chainP?: Promise<Chain>;
  private deploymentP?: Promise<Deployment>;
  private signerP?: Promise<Signer>;
  private tokens = new Map<string, Promise<TokenInfo>>();

  constructor(opts: CommonOptions, readonly defaultRpc: string = DEFAULT_RPC) {
    this.opts = opts;
    this.log = makeLogger(!opts.json);
    this.progress = createProgress(progressEnabled(Boolean(opts.json)));
  }

  get json(): boolean {
    return Boolean(this.opts.json);
  }

  get dryRun(): boolean {
    return Boolean(this.opts.dryRun);
  }

  /** `{ dryRun }` for the SDK's writes. */
  get send(): { dryRun: boolean } {
    return { dryRun: this.dryRun };
  }

  /** The --rpc URL (or "embedded"). */
  get rpcUrl(): string {
    return this.opts.rpc ?? this.defaultRpc;
  }

  /** The chain, connected once. */
  chain(): Promise<Chain> {
    this.chainP ??= connect(this.rpcUrl);
    return this.chainP;
  }

  /** Path of the deployment file. */
  get deploymentFile(): string {
    return this.opts.deployment ?? defaultDeploymentPath();
  }

  /** The deployment file, read before connecting and then checked against the chain. */
  deployment(): Promise<Deployment> {
    this.deploymentP ??= (async () => {
      const d = readDeploymentFile(this.deploymentFile);
      const chain = await this.chain();
      await assertDeployment(chain.provider, d, `deployment file ${this.deploymentFile}`);
      return d;
    })();
    return this.deploymentP;
  }

  /** The signing key, connected to the chain. */
  signer(): Promise<Signer> {
    this.signerP ??= (async () => {
      const wallet = await loadSigner({ keystore: this.opts.keystore });
      const chain = await this.chain();
      return wallet.connect(chain.provider);
    })();
    return this.signerP;
  }

  /** Read-only typed handles on both ledgers. */
  async ledgers(): Promise<{ workLedger: IWorkLedger; revenueLedger: IRevenueLedger; deployment: Deployment; chain: Chain }> {
    const deployment = await this.deployment();
    const chain = await this.chain();
    return {
      workLedger: IWorkLedger__factory.connect(deployment.workLedger, chain.provider),
      revenueLedger: IRevenueLedger__factory.connect(deployment.revenueLedger, chain.provider),
      deployment,
      chain,
    };
  }

  /** decimals and symbol of a token (cached). */
  token(address: string): Promise<TokenInfo> {
    let p = this.tokens.get(address);
    if (!p) {
      p = this.chain().then((c) => tokenInfo(c.provider, address));
      this.tokens.set(address, p);
    }
    return p;
  }

  /** Throw a one-line error unless network `id` exists. */
  async requireNetwork(id: bigint): Promise<void> {
    const { deployment, chain } = await this.ledgers();
    await assertNetwork(chain.provider, deployment, id);
  }

  async close(): Promise<void> {
    this.progress.stop();
    if (this.chainP) {
      try {
        const c = await this.chainP;
        await c.close();
      } catch {
        // connecting failed: nothing to close
      }
    }
  }
}
