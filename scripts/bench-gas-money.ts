/**
 * Gas of the money paths (RevenueLedger on the real WorkLedger), from transaction receipts:
 * depositGas, depositWithPermitGas, chargeGas, postChargeGas, payoutRootGas, claimGas.
 * `moneyGas()` is merged into `npm run --silent bench:gas` by scripts/bench-gas.ts; run alone with
 * `npx hardhat run scripts/bench-gas-money.ts` (prints one JSON line).
 */
import type { ContractTransactionResponse } from "ethers";

/** Leaves in the benchmark's payout tree, besides one far leaf (proofs of 10 hashes). */
export const PAYOUT_LEAVES = 1_000;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return Number(receipt.gasUsed);
}

/**
 * Measures the money paths on a fresh deployment, each in its usual case: a new customer's first
 * deposit into a network that already has deposits (with and without a permit), a new charge, the
 * posting of a charge on a network that has posted before, a 1,001-leaf payout root (which opens the
 * claimed-bitmap words of its first 4,080 leaves), and the first claim after it, paying an address
 * that never held the token.
 * @returns receipt gas per operation, keyed as DESIGN.md "Benchmarks" names them.
 */
export async function moneyGas(): Promise<Record<string, number>> {
  const { ethers } = (await import("hardhat")).default;
  const fx = await import("../test/helpers/revenueFixture");
  const { ledger, wl, token, admin, netAdmin, verifiers, customers, operators } = await fx.revenueLedgerFixture();
  const [alice, bob, carol] = customers;
  const net = 1n;
  const ledgerAddr = await ledger.getAddress();

  // The network's first deposit also caches its token and opens the Assets account: warm up with it,
  // then measure a new customer's first deposit, the usual case.
  await ledger.connect(alice).deposit(net, 500n * fx.USD);
  const depositGas = await gasOf(ledger.connect(bob).deposit(net, 500n * fx.USD));

  // carol's allowance is reset: the permit is the only allowance.
  await token.connect(carol).approve(ledgerAddr, 0n);
  const deadline = BigInt(Math.floor(Date.now() / 1000)) + 10n ** 6n;
  const sig = await fx.signPermit(token, carol, ledgerAddr, 500n * fx.USD, deadline);
  const depositWithPermitGas = await gasOf(
    ledger.connect(carol).depositWithPermit(net, 500n * fx.USD, deadline, sig.v, sig.r, sig.s),
  );

  await ledger.connect(admin).setProtocolFee(100);
  const epoch = await fx.commitNextEpoch(wl, net, verifiers);
  const ref = fx.nodeIdOf("usage-1");
  await ledger.connect(netAdmin).charge(net, alice.address, epoch, 400n * fx.USD, ref);
  const chargeGas = await gasOf(ledger.connect(netAdmin).charge(net, bob.address, epoch, 400n * fx.USD, ref));
  await fx.finalizeAll();
  // The first posting of a network opens its Revenue and Fee accounts; measure the next one.
  await ledger.postCharge(fx.chargeIdOf(net, alice.address, epoch, ref));
  const postChargeGas = await gasOf(ledger.postCharge(fx.chargeIdOf(net, bob.address, epoch, ref)));

  const leaves: import("../test/helpers/revenueFixture").PayoutLeaf[] = [];
  for (let i = 0; i < PAYOUT_LEAVES; i++) {
    leaves.push([BigInt(i), fx.nodeIdOf(`node-${i}`), operators[i % operators.length].address, 700_000n + BigInt(i)]);
  }
  // One leaf with an index far beyond the words the root opens in advance (PREOPENED_WORDS).
  leaves.push([1_000_000n, fx.nodeIdOf("node-far"), operators[0].address, 700_000n]);
  const tree = fx.payoutTree(leaves);
  const total = leaves.reduce((a, l) => a + l[3], 0n);
  const payoutRootGas = await gasOf(ledger.connect(netAdmin).postPayoutRoot(net, epoch, tree.root, total, leaves.length));

  // Every claim pays an address that never held the token. claimGas is the first claim after the root
  // was posted; claimUnopenedWordGas a claim whose bitmap word the root did not open (leaf index >=
  // 4,080, the first claim of its word), which also pays that word's zero-to-non-zero write.
  const claimOf = (i: number) => {
    const [index, nodeId, operator, amount] = leaves[i];
    const signer = operators.find((o) => o.address === operator)!;
    const to = ethers.Wallet.createRandom().address;
    return gasOf(ledger.connect(signer).claim(net, epoch, index, nodeId, amount, fx.proofOf(tree, index), to));
  };
  const claimGas = await claimOf(0);
  const claimUnopenedWordGas = await claimOf(PAYOUT_LEAVES);
  return { depositGas, depositWithPermitGas, chargeGas, postChargeGas, payoutRootGas, claimGas, claimUnopenedWordGas };
}

if (require.main === module) {
  moneyGas()
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
