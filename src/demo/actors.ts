/**
 * The demo's actors: the deployer (network admin, which grants itself registrar and biller, and
 * protocol admin), an independent arbiter (an insurer consortium's key, not the admin's), and
 * deterministic wallets for verifiers, customers and node operators, funded with gas by the deployer.
 */
import { Provider, Signer, Wallet, parseEther } from "ethers";

import { ARBITER_NAME, CUSTOMER_NAMES, OPERATOR_COUNT, VERIFIER_NAMES } from "./scenario";
import { drawBytes32 } from "./random";

export interface Actors {
  deployer: Signer;
  deployerAddress: string;
  verifiers: Wallet[];
  customers: Wallet[];
  operators: Wallet[];
  /** Rules on challenges; never the admin (#13). */
  arbiter: Wallet;
}

/** Gas money each actor gets from the deployer. */
export const ACTOR_GAS_FUNDING = parseEther("1");

/** Make the deterministic wallets of a seed, connected to `provider`. */
export function makeActorWallets(seed: string, provider: Provider): Omit<Actors, "deployer" | "deployerAddress"> {
  const w = (role: string) => new Wallet(drawBytes32(seed, "key", role), provider);
  return {
    verifiers: VERIFIER_NAMES.map((n) => w(n)),
    customers: CUSTOMER_NAMES.map((n) => w(n)),
    operators: Array.from({ length: OPERATOR_COUNT }, (_, i) => w(`operator-${i}`)),
    arbiter: w(ARBITER_NAME),
  };
}

/** Top every actor up to ACTOR_GAS_FUNDING from the deployer (one transfer each, explicit nonces). */
export async function fundActors(deployer: Signer, wallets: Wallet[]): Promise<number> {
  const provider = deployer.provider!;
  const from = await deployer.getAddress();
  let nonce = await provider.getTransactionCount(from, "pending");
  let sent = 0;
  for (const w of wallets) {
    const balance = await provider.getBalance(w.address);
    if (balance >= ACTOR_GAS_FUNDING / 2n) continue;
    const tx = await deployer.sendTransaction({ to: w.address, value: ACTOR_GAS_FUNDING - balance, nonce: nonce++ });
    await tx.wait();
    sent++;
  }
  return sent;
}
