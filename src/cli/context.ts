/**
 * The per-invocation context a command runs in: its common flags, and the chain, deployment, key,
 * logger and progress bar it needs, each created lazily and in a safe order (flags, deployment
 * file, RPC, chain id, key, simulation, send) so a failure never leaves anything written.
 */
import { Contract, Signer } from "ethers";

import { IRevenueLedger, IRevenueLedger__factory, IWorkLedger, IWorkLedger__factory } from "../contracts";
import { InvalidInputError } from "../errors";
import { Chain, DEFAULT_RPC, connect } from "./chain";
import { Deployment, checkDeployment, defaultDeploymentPath, readDeployment } from "./deployment";
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

/** Minimal ERC-20 ABI the CLI needs (plus the mock's mint). */
export const ERC20_ABI = [
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address,address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
  "function transfer(address,uint256) returns (bool)",
  "function mint(address,uint256)",
];

/** Token metadata for formatting. */
export interface TokenInfo {
  address: string;
  decimals: number;
  symbol: string;
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

  /** Use another deployment file from now on (the demo, after it deploys). */
  useDeployment(file: string): void {
    this.opts.deployment = file;
    this.deploymentP = undefined;
  }

  /** The deployment file, read before connecting and then checked against the chain. */
  deployment(): Promise<Deployment> {
    this.deploymentP ??= (async () => {
      const d = readDeployment(this.deploymentFile);
      const chain = await this.chain();
      await checkDeployment(chain, d, this.deploymentFile);
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
      p = (async () => {
        const chain = await this.chain();
        const c = new Contract(address, ERC20_ABI, chain.provider);
        const [decimals, symbol] = await Promise.all([c.decimals().catch(() => 18n), c.symbol().catch(() => "")]);
        return { address, decimals: Number(decimals), symbol: String(symbol) };
      })();
      this.tokens.set(address, p);
    }
    return p;
  }

  /** Throw a one-line error unless network `id` exists. */
  async requireNetwork(id: bigint): Promise<void> {
    const { workLedger, deployment } = await this.ledgers();
    const count = await workLedger.networkCount();
    if (id < 1n || id > count) {
      throw new InvalidInputError(`unknown network ${id}: the WorkLedger at ${deployment.workLedger} has ${count} network${count === 1n ? "" : "s"}`);
    }
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
