/**
 * Gas of the money paths (RevenueLedger on the real WorkLedger), from transaction receipts:
 * depositGas, depositWithPermitGas, authorizeBillingGas, chargeGas (a 2-of-3 signed statement covering
 * 720 epochs), postChargeGas (DESIGN rule 2), payoutRootGas (2-of-3 signed), claimGas and
 * claimGasAfter720Epochs (DESIGN rule 8). `moneyGas()` is merged into `npm run --silent bench:gas` by
 * scripts/bench-gas.ts; run alone with `npx hardhat run scripts/bench-gas-money.ts` (prints one JSON line).
 */
import type { ContractTransactionResponse } from "ethers";

/** Leaves of the benchmark's payout roots (DESIGN rule 8: claimGas is measured on a 10,000-leaf root). */
export const PAYOUT_LEAVES = 10_000;
/** Epochs one measured statement covers (DESIGN "Benchmarks": chargeGas covers 720 epochs). */
export const STATEMENT_EPOCHS = 720n;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return Number(receipt.gasUsed);
}

/**
 * Measures the money paths on a fresh deployment (1-second epochs), each in its usual case: a new
 * customer's first deposit into a network that already has deposits (with and without a permit), a
 * customer's first billing authorization, a 720-epoch statement on a network that has charged before,
 * postChargeGas = (gas of a 1-epoch statement with usage) - (gas of a 1-epoch statement without usage),
 * payout roots (the network's first, and a later one that raises the total), and a node's first claim on a
 * 10,000-leaf root paid to an address that already holds the token, then its next claim 720 epochs later.
 * @returns receipt gas per operation, keyed as DESIGN.md "Benchmarks" names them.
 */
export async function moneyGas(): Promise<Record<string, number>> {
  const { time } = await import("@nomicfoundation/hardhat-network-helpers");
  const fx = await import("../test/helpers/revenueFixture");
  const { ledger, wl, token, admin, netAdmin, verifiers, customers, operators } = await fx.invariantLedgerFixture();
  const [alice, bob, carol] = customers;
  const net = 1n;
  const ledgerAddr = await ledger.getAddress();
  const signers = verifiers.slice(0, 2);

  // The network's first deposit also caches its token and opens the Assets account: warm up with it,
  // then measure a new customer's first deposit, the usual case.
  await ledger.connect(alice).deposit(net, 500_000n * fx.USD);
  const depositGas = await gasOf(ledger.connect(bob).deposit(net, 500_000n * fx.USD));

  // carol's allowance is reset: the permit is the only allowance.
  await token.connect(carol).approve(ledgerAddr, 0n);
  const deadline = BigInt(Math.floor(Date.now() / 1000)) + 10n ** 6n;
  const sig = await fx.signPermit(token, carol, ledgerAddr, 500n * fx.USD, deadline);
  const depositWithPermitGas = await gasOf(
    ledger.connect(carol).depositWithPermit(net, 500n * fx.USD, deadline, sig.v, sig.r, sig.s),
  );

  const cap = 100n * fx.USD;
  await ledger.connect(alice).authorizeBilling(net, cap, fx.FAR_EXPIRY);
  const authorizeBillingGas = await gasOf(ledger.connect(bob).authorizeBilling(net, cap, fx.FAR_EXPIRY));
  await ledger.connect(admin).setProtocolFee(100);

  // Commit and finalize enough epochs for two 720-epoch statements and a root 720 epochs after the first.
  const start = (await ledger.billing(net, alice.address)).nextEpoch;
  const needed = start + 2n * STATEMENT_EPOCHS + 5n;
  await time.increase(needed + 5n);
  for (let e = (await wl.network(net)).nextEpoch; e < needed; e++) await fx.commitNextEpoch(wl, net, verifiers);
  await fx.finalizeAll(fx.INVARIANT_WINDOW);
  await wl.advanceFinality(net, needed);

  const statementOf = async (who: string, epochs: bigint, amount: bigint) => {
    const from = (await ledger.billing(net, who)).nextEpoch;
    const s = { networkId: net, customer: who, fromEpoch: from, toEpoch: from + epochs - 1n, amount, usageHash: fx.usageHashOf(`${who}-${from}`) };
    return ledger.connect(netAdmin).charge(s, "invoice 2026-11", await fx.signStatement(ledger, signers, s));
  };
  // alice's statement opens the network's revenue and fee accounts; bob's is the measured one.
  await (await statementOf(alice.address, STATEMENT_EPOCHS, 1_000n * fx.USD)).wait();
  const chargeGas = await gasOf(statementOf(bob.address, STATEMENT_EPOCHS, 1_000n * fx.USD));
  const withUsage = await gasOf(statementOf(alice.address, 1n, 10n * fx.USD));
  const withoutUsage = await gasOf(statementOf(bob.address, 1n, 0n));
  const postChargeGas = withUsage - withoutUsage;

  // Two cumulative 10,000-leaf roots, 720 epochs apart; node 0 (operator 0) claims after each.
  const rootOf = (through: bigint, perLeaf: bigint) => {
    const leaves: import("../test/helpers/revenueFixture").PayoutLeaf[] = [];
    for (let i = 0; i < PAYOUT_LEAVES; i++) {
      leaves.push([fx.nodeIdOf(`node-${i}`), operators[i % operators.length].address, perLeaf + BigInt(i % 7)]);
    }
    const tree = fx.payoutTree(leaves);
    const total = leaves.reduce((a, l) => a + l[2], 0n);
    return { tree, leaves, msg: { networkId: net, root: tree.root, throughEpoch: through, total, dataHash: fx.nodeIdOf(`file-${through}`) } };
  };
  const post = async (r: ReturnType<typeof rootOf>) => gasOf(ledger.postPayoutRoot(r.msg, await fx.signRoot(ledger, signers, r.msg)));
  const r1 = rootOf(start, 100n);
  const payoutRootFirstGas = await post(r1);
  const node0 = r1.leaves[0][0];
  const to = carol.address; // already holds the token
  const claimOf = (r: ReturnType<typeof rootOf>) =>
    gasOf(ledger.connect(operators[0]).claim(net, node0, r.leaves[0][2], fx.proofOf(r.tree, node0), to));
  const claimGas = await claimOf(r1);
  const r2 = rootOf(start + STATEMENT_EPOCHS, 150n);
  const payoutRootGas = await post(r2);
  const claimGasAfter720Epochs = await claimOf(r2);
  return {
    depositGas,
    depositWithPermitGas,
    authorizeBillingGas,
    chargeGas,
    postChargeGas,
    payoutRootGas,
    payoutRootFirstGas,
    claimGas,
    claimGasAfter720Epochs,
  };
}

if (require.main === module) {
  moneyGas()
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
