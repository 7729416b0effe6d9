/**
 * `workledger deploy --out FILE [--token ADDR]`: deploy WorkLedger, RevenueLedger and (unless a
 * token is given) a MockStablecoin, and write deployment.json.
 */
import fs from "fs";
import { ContractFactory, Signer, getCreateAddress } from "ethers";

import { MockStablecoin__factory, RevenueLedger__factory, WorkLedger__factory } from "../../contracts";
import { InvalidInputError } from "../../errors";
import { CliContext } from "../context";
import { Deployment, writeDeployment } from "../deployment";
import { CommandOutput, kv } from "../output";
import { parseAddress } from "../parse";
import { decodeRevert } from "../tx";

export interface DeployOptions {
  out?: string;
  token?: string;
  protocolAdmin?: string;
  force?: boolean;
}

/** One contract creation, planned or done. */
interface Creation {
  name: string;
  address: string;
  gasEstimate: bigint;
  txHash?: string;
  blockNumber?: number;
}

/** Result of {@link deployContracts}. */
export interface DeployResult {
  deployment: Deployment;
  creations: Creation[];
}

/**
 * Deploy the contracts from `signer` (explicit nonces, so it works with wallets and unlocked node
 * accounts alike). With dryRun, estimates each creation at its predicted address and sends nothing.
 */
export async function deployContracts(signer: Signer, opts: { token?: string; protocolAdmin?: string }, dryRun: boolean): Promise<DeployResult> {
  const provider = signer.provider!;
  const from = await signer.getAddress();
  const chainId = (await provider.getNetwork()).chainId;
  let nonce = await provider.getTransactionCount(from, "pending");
  const admin = opts.protocolAdmin ?? from;
  const creations: Creation[] = [];
  let fromBlock = Number.MAX_SAFE_INTEGER;

  const create = async (name: string, factory: ContractFactory, args: unknown[]): Promise<string> => {
    const tx = await factory.getDeployTransaction(...args);
    const address = getCreateAddress({ from, nonce });
    let gasEstimate: bigint;
    try {
      gasEstimate = await provider.estimateGas({ ...tx, from });
    } catch (e) {
      throw decodeRevert(e);
    }
    const c: Creation = { name, address, gasEstimate };
    creations.push(c);
    if (!dryRun) {
      let receipt;
      try {
        const sent = await signer.sendTransaction({ ...tx, nonce, gasLimit: (gasEstimate * 12n) / 10n });
        receipt = await sent.wait();
      } catch (e) {
        throw decodeRevert(e);
      }
      if (!receipt || receipt.status !== 1) throw new InvalidInputError(`deploying ${name} failed`);
      c.txHash = receipt.hash;
      c.blockNumber = receipt.blockNumber;
      fromBlock = Math.min(fromBlock, receipt.blockNumber);
    }
    nonce += 1;
    return address;
  };

  const workLedger = await create("WorkLedger", new WorkLedger__factory(), []);
  // In a dry run the WorkLedger is not there yet: estimate against a stand-in address is not possible
  // for constructors that call it, but RevenueLedger's constructor only stores it.
  const revenueLedger = await create("RevenueLedger", new RevenueLedger__factory(), [workLedger, admin]);
  const token = opts.token ?? (await create("MockStablecoin", new MockStablecoin__factory(), []));
  if (dryRun) fromBlock = (await provider.getBlockNumber()) + 1;
  return { deployment: { chainId: Number(chainId), workLedger, revenueLedger, token, fromBlock }, creations };
}

/** The `deploy` command. */
export async function deployCommand(ctx: CliContext, opts: DeployOptions): Promise<CommandOutput> {
  if (!opts.out) throw new InvalidInputError("missing --out FILE (where deployment.json is written)");
  if (fs.existsSync(opts.out) && !opts.force && !ctx.dryRun) throw new InvalidInputError(`refusing to overwrite ${opts.out} (pass --force)`);
  const token = opts.token === undefined ? undefined : parseAddress(opts.token, "--token");
  const protocolAdmin = opts.protocolAdmin === undefined ? undefined : parseAddress(opts.protocolAdmin, "--protocol-admin");
  const chain = await ctx.chain();
  if (token !== undefined && (await chain.provider.getCode(token)) === "0x") {
    throw new InvalidInputError(`--token ${token} has no contract code on chain ${chain.chainId}`);
  }
  const signer = await ctx.signer();
  const res = await deployContracts(signer, { token, protocolAdmin }, ctx.dryRun);
  if (!ctx.dryRun) writeDeployment(opts.out, res.deployment);
  const totalGas = res.creations.reduce((s, c) => s + c.gasEstimate, 0n);
  const lines = ctx.dryRun
    ? [
        `dry run: would deploy ${res.creations.map((c) => c.name).join(", ")} on chain ${res.deployment.chainId}`,
        ...res.creations.map((c) => `  ${c.name.padEnd(15)} at ${c.address}  gas estimate ${c.gasEstimate.toLocaleString("en-US")}`),
        `  total gas estimate ${totalGas.toLocaleString("en-US")}; nothing was sent and ${opts.out} was not written`,
      ]
    : [
        ...kv([
          ["chainId", res.deployment.chainId],
          ["WorkLedger", res.deployment.workLedger],
          ["RevenueLedger", res.deployment.revenueLedger],
          ["token", res.deployment.token + (token ? "" : " (MockStablecoin)")],
          ["fromBlock", res.deployment.fromBlock],
        ]),
        `wrote ${opts.out}`,
      ];
  return {
    data: {
      dryRun: ctx.dryRun,
      ...res.deployment,
      out: ctx.dryRun ? null : opts.out,
      transactions: res.creations.map((c) => ({ contract: c.name, address: c.address, gasEstimate: c.gasEstimate.toString(), txHash: c.txHash ?? null, blockNumber: c.blockNumber ?? null })),
    },
    lines,
  };
}
